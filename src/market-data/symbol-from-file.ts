import { basename } from 'node:path';

/**
 * The market symbol a candle file holds, derived from its name when no symbol is given:
 * 1. drop the extension (`.csv`, `.json`, also before `.gz`);
 * 2. drop a trailing timeframe (`_1m`, `-5m`, `-1h`, `_1d`);
 * 3. drop trailing dates of 8 digits (`-20211231-20220201`);
 * 4. an underscore separates base and quote (freqtrade's `BASE_QUOTE` layout), so it becomes `/`;
 *    dashes stay (exchange symbols like `BTC-PERP`);
 * 5. upper-case.
 * `btc-perp-20211231-20220201_1m.csv` -> `BTC-PERP`; `UNITTEST_BTC-1m.json` -> `UNITTEST/BTC`.
 * Returns undefined when what is left is not a symbol; the caller then asks for one explicitly.
 */
export function symbolFromFileName(file: string): string | undefined {
  let name = basename(file).replace(/\.gz$/i, '').replace(/\.[A-Za-z0-9]+$/, '');
  name = name.replace(/[-_]\d+(?:s|m|h|d|w|M|min|mo)$/, '');
  while (/[-_]\d{8}$/.test(name)) name = name.slice(0, -9);
  const symbol = name.replace(/_/g, '/').toUpperCase();
  return SYMBOL.test(symbol) ? symbol : undefined;
}

/** Letters and digits in parts joined by one `/` or `-`. */
export const SYMBOL = /^[A-Z0-9]+(?:[-/][A-Z0-9]+)*$/;
