import type { QueryIo } from './query-io.js';

/**
 * `tradetrace trace ... | head -1`: once the reader closes the pipe, every further write fails with
 * EPIPE, which on process.stdout is an unhandled 'error' event (a crash with a stack trace). The
 * reader has what it wanted: from then on output is dropped quietly, and `closed()` lets a long
 * command (--follow) stop. Any other stdout error is still reported, once, on stderr.
 */
export interface GuardedIo<T extends QueryIo> {
  readonly io: T;
  readonly closed: () => boolean;
  /** Aborted when stdout closes: what a --follow loop listens to. */
  readonly closedSignal: AbortSignal;
}

export function guardStdout<T extends QueryIo>(io: T): GuardedIo<T> {
  let closed = false;
  const controller = new AbortController();
  const target = io.stdout;
  target.on('error', (error: NodeJS.ErrnoException) => {
    if (!closed && error.code !== 'EPIPE') io.stderr.write(`tradetrace: cannot write the output: ${error.message}\n`);
    closed = true;
    controller.abort();
  });
  const stdout = Object.create(target, {
    write: {
      value: (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        if (closed) return true;
        return (target.write as (chunk: string | Uint8Array, ...args: unknown[]) => boolean).call(target, chunk, ...rest);
      },
    },
  }) as T['stdout'];
  return { io: { ...io, stdout }, closed: () => closed, closedSignal: controller.signal };
}
