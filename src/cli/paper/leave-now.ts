import type { CliIo } from '../command.js';

/**
 * Ends the process with `code` once what was written to stdout and stderr is flushed. For a
 * shutdown cut short (a second signal, `runtime.shutdown_timeout`): the record is final, but a
 * component still stopping holds timers (its own stop timeout, up to minutes) that would keep the
 * process alive after the exit the operator was promised. A pipe flushes asynchronously, so exiting
 * at once could cut the summary short.
 */
export function leaveNow(io: CliIo, code: number): void {
  let pending = 2;
  const flushed = (): void => {
    if (--pending === 0) process.exit(code);
  };
  io.stdout.write('', flushed);
  io.stderr.write('', flushed);
}
