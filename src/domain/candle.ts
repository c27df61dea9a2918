import type { Decimal } from './decimal.js';

/**
 * One OHLCV bar of a market. Prices are in the market's quote currency; volume is in the unit the
 * source reports (most feeds count base units, some, like the BTC-PERP file in shared/data, count
 * quote units), so a consumer that needs base volume is told the unit by its feed's configuration.
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
