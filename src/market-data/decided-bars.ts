import type { Decimal } from '../domain/decimal.js';
import type { CandleFile, CandleFileSummary } from './candle-file.js';
import { DataChangedError } from './data-changed-error.js';

/** The last bar an earlier session decided for a symbol, as it saw it. */
export interface DecidedBarRecord {
  readonly openTime: number;
  readonly close: Decimal;
  /** The session that decided on it, when known. */
  readonly recordedBy: string | undefined;
}

/**
 * What a data directory's state was built on: per symbol, its last decided bar. A replay on that
 * directory must find these bars unchanged in its files (see dataChangeIn).
 */
export interface DecidedBars {
  readonly dataDir: string;
  readonly bars: ReadonlyMap<string, DecidedBarRecord>;
}

/**
 * The refusal to replay `file` on the directory of `decided`, if its symbol's last decided bar is
 * not there as it was: another close, or no bar at that time inside the file's span. A bar outside
 * the span is no change: a file that starts after it goes on from there (next month's export), one
 * that ends before it has nothing left to decide. `summary` is the preflight's, probed at that bar.
 */
export function dataChangeIn(file: CandleFile, summary: CandleFileSummary, decided: DecidedBars): DataChangedError | undefined {
  const record = decided.bars.get(file.symbol);
  if (record === undefined) return undefined;
  const found = summary.probedClose;
  if (found === undefined ? record.openTime < summary.firstOpenTime || record.openTime > summary.lastOpenTime : found.eq(record.close)) return undefined;
  return new DataChangedError({
    file: file.path, symbol: file.symbol, dataDir: decided.dataDir, barOpenTime: record.openTime, recordedClose: record.close, recordedBy: record.recordedBy,
    foundClose: found, span: { first: summary.firstOpenTime, last: summary.lastOpenTime }, fingerprint: summary.fingerprint,
  });
}
