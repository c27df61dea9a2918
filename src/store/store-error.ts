/**
 * Why the state store refused. A corrupt or foreign database is never reset silently: the operator
 * must decide, because the file may hold the only record of an open position.
 */
export type StoreErrorCode =
  /** The file could not be opened or created (permissions, missing directory). */
  | 'open_failed'
  /** The file is not a readable SQLite database, or SQLite found it damaged. */
  | 'corrupt'
  /** A valid SQLite database that tradetrace did not create. */
  | 'foreign_database'
  /** Written by a newer tradetrace: this version cannot know what the newer schema means. */
  | 'newer_schema'
  /** A migration failed; the database was left at its previous version. */
  | 'migration_failed'
  /** A row holds a value the store cannot read back (e.g. a decimal column that is not a decimal). */
  | 'invalid_row'
  /** The operation contradicts the stored state (unknown order, illegal status change, overselling). */
  | 'invalid_operation'
  /** A client order id that is already recorded: sending it again could double an order. */
  | 'duplicate_order'
  /** SQLite failed while writing; the transaction was rolled back. */
  | 'write_failed'
  /** The file was deleted or replaced while open: commits would go to a file no later start reads. */
  | 'file_gone'
  /** state.sqlite is missing where an earlier session's exchange account exists: the bot's books are lost. */
  | 'state_lost'
  | 'closed';

export class StoreError extends Error {
  /** Nothing here gets better by trying again without a change: the file or the call must change. */
  readonly retryable: boolean;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: { path?: string; found?: string; expected?: string; sqliteCode?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
    // SQLITE_BUSY / SQLITE_IOERR can pass once another process lets go or the disk recovers.
    this.retryable = code === 'write_failed' && /^SQLITE_(BUSY|LOCKED|IOERR)/.test(details.sqliteCode ?? '');
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}
