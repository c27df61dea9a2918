import type { FingerprintHash } from './file-fingerprint.js';

/** What a candle file reader needs beyond the file: the symbol its bars get and the bar grid. */
export interface BarReaderOptions {
  readonly symbol: string;
  /** The bar interval; open times must sit on its grid. */
  readonly intervalMs: number;
  /**
   * Told of each row that follows a gap in the file (more than one interval after the row before),
   * with its open time and 1-based line, so DATA_GAP can name where the data resumes. A reader of
   * a layout whose rows need not be lines (JSON: often one line for the whole file) adds the row.
   */
  readonly onGap?: ((openTime: number, line: number, row?: number) => void) | undefined;
  /** Fed the file's bytes as they are read (the preflight's fingerprint). */
  readonly fingerprint?: FingerprintHash | undefined;
  /**
   * The row opening at `openTime`: `found` is told where its text ends in the file, in bytes (its
   * line break not included), for a resume that compares the file's prefix up to there.
   */
  readonly probe?: RowProbe | undefined;
}

export interface RowProbe {
  readonly openTime: number;
  readonly found: (rowEndByte: number) => void;
}
