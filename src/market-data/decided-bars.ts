import type { Decimal } from '../domain/decimal.js';
import type { CandleFile, CandleFileSummary } from './candle-file.js';
import { DataChangedError } from './data-changed-error.js';
import type { FileFingerprint, PrefixHash } from './file-fingerprint.js';

/** The last bar an earlier session decided for a symbol, as it saw it. */
export interface DecidedBarRecord {
  readonly openTime: number;
  readonly close: Decimal;
  /** The session that decided on it, when known. */
  readonly recordedBy: string | undefined;
  /**
   * The symbol's file as that session read it, from its FEED_START: the rows up to this bar must
   * hash the same now. Undefined when its log does not say (a session from before fingerprints,
   * a log rotated away): then only this bar's close is compared.
   */
  readonly readAs?: { readonly session: string; readonly fingerprint: FileFingerprint } | undefined;
}

/**
 * What a data directory's state was built on: per symbol, its last decided bar. A replay on that
 * directory must find these bars unchanged in its files (see dataChangeIn).
 */
export interface DecidedBars {
  readonly dataDir: string;
  readonly bars: ReadonlyMap<string, DecidedBarRecord>;
}

/** The prefix hashes a session logged for a file: its checkpoints, or (a session from before them) the whole file. */
export function loggedPrefixes(fingerprint: FileFingerprint): readonly PrefixHash[] {
  return fingerprint.checkpoints ?? [{ bytes: fingerprint.bytes, sha256: fingerprint.sha256 }];
}

/** The byte counts whose prefix hash the preflight of `symbol`'s file must bring back for dataChangeIn. */
export function prefixesToHash(decided: DecidedBars | undefined, symbol: string): readonly number[] {
  const readAs = decided?.bars.get(symbol)?.readAs;
  return readAs === undefined ? [] : loggedPrefixes(readAs.fingerprint).map((c) => c.bytes);
}

/**
 * The first logged prefix that covers the row ending at `rowEnd` and no longer hashes the same, if
 * any: equal, the file's bytes up to and past that row are those read then, so every row before
 * it is unchanged. The last logged prefix is the whole file as read, whose last bytes change when
 * rows are appended (a JSON array's closing bracket becomes a comma; a final newline is added): it
 * cannot tell an append from a change, so a row in the file's last step (or past its old end) is
 * judged by its decided bar's close alone. A change just after the row, inside the same step, is
 * not told from one before it (a step is at most 1/32 of the file: see MAX_CHECKPOINTS).
 */
function changedPrefix(logged: readonly PrefixHash[], rowEnd: number, now: ReadonlyMap<number, string>): number | undefined {
  const covering = logged.slice(0, -1).find((c) => c.bytes >= rowEnd);
  if (covering === undefined) return undefined;
  return now.get(covering.bytes) === covering.sha256 ? undefined : covering.bytes;
}

/**
 * The refusal to replay `file` on the directory of `decided`, if its symbol's last decided bar is
 * not there as it was: another close, or no bar at that time inside the file's span, or the rows
 * up to it changed since the session that decided it read them (when its log says how they hashed).
 * A bar outside the span is no change: a file that starts after it goes on from there (next
 * month's export), one that ends before it has nothing left to decide. Rows appended after the
 * end of the file that session read are no change either. `summary` is the preflight's, probed at
 * that bar, with the prefixes of prefixesToHash hashed.
 */
export function dataChangeIn(file: CandleFile, summary: CandleFileSummary, decided: DecidedBars): DataChangedError | undefined {
  const record = decided.bars.get(file.symbol);
  if (record === undefined) return undefined;
  const found = summary.probedClose;
  const details = {
    file: file.path, symbol: file.symbol, dataDir: decided.dataDir, barOpenTime: record.openTime, recordedClose: record.close, recordedBy: record.recordedBy,
    foundClose: found, span: { first: summary.firstOpenTime, last: summary.lastOpenTime }, fingerprint: summary.fingerprint,
  };
  if (found === undefined) return record.openTime < summary.firstOpenTime || record.openTime > summary.lastOpenTime ? undefined : new DataChangedError(details);
  if (!found.eq(record.close)) return new DataChangedError(details);
  const { readAs } = record;
  if (readAs === undefined || summary.probedRowEnd === undefined) return undefined;
  const bytes = changedPrefix(loggedPrefixes(readAs.fingerprint), summary.probedRowEnd, summary.prefixes);
  return bytes === undefined ? undefined : new DataChangedError({ ...details, prefix: { bytes, readBy: readAs.session } });
}
