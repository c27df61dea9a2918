/**
 * Why the paper exchange's state file was refused. A damaged file is never replaced by a fresh
 * account: it is the only record of the orders a restarted bot must reconcile, and an empty
 * account would turn every one of them into a silent `not_found`.
 */
export type PaperStateErrorCode =
  /** The file or its folder could not be opened or created (permissions, a missing mount). */
  | 'open_failed'
  /** Another process (or another instance in this one) holds the file: two simulators, one account. */
  | 'locked'
  /** Not a readable SQLite file, SQLite found it damaged, or its rows break the account's invariants. */
  | 'corrupt'
  /** A valid SQLite file that is not a paper exchange state (e.g. the bot's own state.sqlite). */
  | 'foreign_file'
  /** Written by a newer tradetrace, whose schema this version cannot read. */
  | 'newer_schema'
  /** A write failed; the exchange stops answering rather than run ahead of its own record. */
  | 'write_failed'
  /** Used after close(). */
  | 'closed';

export interface PaperStateErrorDetails {
  readonly path: string;
  readonly found?: string;
  readonly expected?: string;
}

export class PaperStateError extends Error {
  override readonly name = 'PaperStateError';
  /** Only a lock can pass by itself (a killed process's lock goes with it); the rest need a change first. */
  readonly retryable: boolean;

  constructor(
    readonly code: PaperStateErrorCode,
    message: string,
    readonly details: PaperStateErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = code === 'locked';
  }
}

export function isPaperStateError(error: unknown): error is PaperStateError {
  return error instanceof PaperStateError;
}
