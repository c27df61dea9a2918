import type { Decimal } from './decimal.js';

/**
 * One OHLCV bar of a market. Prices are in the market's quote currency, volume in its base currency.
 * `openTime` is the bar's open in Unix milliseconds UTC, the key market data is ordered and joined on.
 */
export interface Candle {
  readonly openTime: number /* ms UTC */;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}
