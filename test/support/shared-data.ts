import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

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
