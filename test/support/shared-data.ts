import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The real exchange candles of ../shared/data (never copied into the repository). */
export const SHARED_DATA_DIR = resolve(import.meta.dirname, '../../../shared/data');
export const BTC_PERP_CSV = resolve(SHARED_DATA_DIR, 'btc-perp-20211231-20220201_1m.csv');
export const ALTCOIN_JSON = resolve(SHARED_DATA_DIR, 'UNITTEST_BTC-1m.json');

/**
 * Whether tests that need the shared candles can run. Outside CI a missing folder skips them with a
 * printed reason; in CI (CI=true) a missing folder is a failure, never a silent skip.
 */
export function sharedDataAvailable(): boolean {
  const present = existsSync(BTC_PERP_CSV) && existsSync(ALTCOIN_JSON);
  if (present) return true;
  if (process.env['CI'] === 'true') {
    throw new Error(`CI=true but the shared candles are missing at ${SHARED_DATA_DIR}`);
  }
  console.warn(`SKIP: shared candles not found at ${SHARED_DATA_DIR}; tests that replay real data are skipped`);
  return false;
}

/**
 * The first `bars` candles of the real BTC perp file (its first bar opens 2021-12-31T23:01Z), written
 * as `name` in `dir` (a test's temp dir, never the repository): a replay that ends where a test needs it.
 */
export function btcPerpSlice(dir: string, name: string, bars: number): string {
  const csv = join(dir, name);
  writeFileSync(csv, `${readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, bars + 1).join('\n')}\n`);
  return csv;
}
