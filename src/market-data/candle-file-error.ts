/** What is wrong with a candle file; every code is a problem in the data, so retrying cannot help. */
export type CandleFileErrorCode =
  | 'file_unreadable'
  | 'unknown_format'
  | 'empty_file'
  | 'bad_header'
  | 'bad_row'
  | 'bad_value'
  | 'inconsistent_bar'
  | 'out_of_order'
  | 'duplicate_bar'
  | 'misaligned_bar'
  | 'wrong_timeframe'
  | 'bad_symbol';

export interface CandleFileErrorDetails {
  readonly file: string;
  /** 1-based line of the file; 0 when the problem is the file as a whole. */
  readonly line: number;
  /** The column (field) name, e.g. `close`, when one value is at fault; absent (or empty) for a whole row or the file. */
  readonly column?: string | undefined;
  /** The offending text, bounded. */
  readonly value?: string;
  /** What was expected instead, in plain words. */
  readonly expected: string;
  /** The whole message, when the file-line-column form says it worse (a file of other bars than the timeframe's). */
  readonly message?: string;
}

function bounded(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A candle file that cannot be replayed as it is. Replay stops at the first one: a bot must not
 * trade on data with a hole it papered over, so no row is ever skipped.
 */
export class CandleFileError extends Error {
  readonly retryable = false;
  readonly file: string;
  readonly line: number;
  readonly column: string | undefined;
  readonly value: string | undefined;
  readonly expected: string;

  constructor(readonly code: CandleFileErrorCode, details: CandleFileErrorDetails, options?: { cause?: unknown }) {
    const where = details.line > 0 ? `${details.file}:${details.line}` : details.file;
    // A problem with a whole row (or the file) has no column: say nothing rather than "column  bad_row".
    const column = details.column === undefined || details.column === '' ? undefined : details.column;
    const what = column === undefined ? '' : ` column ${column}`;
    const got = details.value === undefined ? '' : ` got ${JSON.stringify(bounded(details.value))},`;
    super(details.message ?? `${where}:${what} ${code}:${got} expected ${details.expected}`, options);
    this.name = 'CandleFileError';
    this.file = details.file;
    this.line = details.line;
    this.column = column;
    this.value = details.value === undefined ? undefined : bounded(details.value);
    this.expected = details.expected;
  }
}

export function isCandleFileError(error: unknown): error is CandleFileError {
  return error instanceof CandleFileError;
}
