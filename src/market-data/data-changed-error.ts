import type { Decimal } from '../domain/decimal.js';
import { isoTime } from './bar.js';
import type { FileFingerprint } from './file-fingerprint.js';

export interface DataChangedDetails {
  readonly file: string;
  readonly symbol: string;
  /** The data directory whose positions and PnL were built on the earlier data. */
  readonly dataDir: string;
  readonly barOpenTime: number;
  /** The close of that bar when an earlier session decided on it. */
  readonly recordedClose: Decimal;
  /** That session, when known. */
  readonly recordedBy: string | undefined;
  /** The close of that bar in the file now; undefined: the file has no bar at that time. */
  readonly foundClose: Decimal | undefined;
  /** Open times of the file's first and last bars. */
  readonly span: { readonly first: number; readonly last: number };
  readonly fingerprint: FileFingerprint;
  /**
   * Set when that bar's close is unchanged but the rows before it are not: the file's first
   * `bytes` bytes (through that bar's row and a little after) no longer hash to what session
   * `readBy` logged when it read the file (its FEED_START fingerprint).
   */
  readonly prefix?: { readonly bytes: number; readonly readBy: string } | undefined;
}

/**
 * A candle file replaced at the same path since an earlier session on this data directory decided
 * on it: its last decided bar has another close now, or is gone from inside the file's span, or
 * a row before it changed (the prefix of the file up to it hashes otherwise). The
 * config hash, the path and the drift check all stay the same, so without this the restart would
 * manage that session's positions on prices that never belonged to them.
 */
export class DataChangedError extends Error {
  readonly code = 'data_changed' as const;
  /** The file or the data directory must change first. */
  readonly retryable = false;

  constructor(readonly details: DataChangedDetails) {
    const { file, symbol, dataDir, barOpenTime, recordedClose, recordedBy, foundClose, span, fingerprint, prefix } = details;
    const who = recordedBy === undefined ? 'an earlier session' : `session ${recordedBy}`;
    const now = foundClose === undefined ? `the file now has no bar at that time, though it spans ${isoTime(span.first)} to ${isoTime(span.last)}` : `the file now says ${foundClose.toString()}`;
    const what = prefix === undefined
      ? `its bar of ${isoTime(barOpenTime)} (the last one decided there) closed at ${recordedClose.toString()} when ${who} decided on it, and ${now}`
      : `its rows up to its bar of ${isoTime(barOpenTime)} (the last one decided there; its close, ${recordedClose.toString()}, is unchanged) are not those session ${prefix.readBy} read: ` +
        `its first ${prefix.bytes} bytes hash otherwise than that session logged (FEED_START fingerprints), so a row at or before that bar (or just after it) was changed, removed or inserted (compared byte for byte: a file re-exported with other line endings or number formatting counts too), and the decisions made there may have been made on other data`;
    super(
      `${file} is not the data ${dataDir} traded ${symbol} on: ${what} ` +
        `(the file now: ${fingerprint.bytes} bytes, sha256 ${fingerprint.sha256}). Nothing was decided on it. ` +
        `Put the original file back at ${file} and restart (rows appended after its end are fine), or start over in a new --data-dir: the positions and PnL in ${dataDir} belong to the old data`,
    );
    this.name = 'DataChangedError';
  }
}

export function isDataChangedError(error: unknown): error is DataChangedError {
  return error instanceof DataChangedError;
}
