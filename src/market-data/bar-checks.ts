import type { Candle } from '../domain/candle.js';
import { Decimal } from '../domain/decimal.js';
import type { CandleFileErrorCode } from './candle-file-error.js';
import { spacingText, timeframeOf } from './timeframe.js';

export interface BarProblem {
  readonly code: CandleFileErrorCode;
  /** The field at fault; absent when the problem is the whole row. */
  readonly column?: string;
  readonly value: string;
  readonly expected: string;
}

const POW10: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));

/**
 * Decimal order without Decimal.compare's per-call power of ten: the four prices of a row
 * usually share a scale, and this runs four times per bar on the replay's hot path.
 */
function cmp(a: Decimal, b: Decimal): number {
  if (a.scale === b.scale) return a.units < b.units ? -1 : a.units > b.units ? 1 : 0;
  const x = a.scale > b.scale ? a.units : a.units * (POW10[b.scale - a.scale] ?? 10n ** BigInt(b.scale - a.scale));
  const y = b.scale > a.scale ? b.units : b.units * (POW10[a.scale - b.scale] ?? 10n ** BigInt(a.scale - b.scale));
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The highest price a bar may have. Above it the lot a paper market derives from the price
 * (1/1000 of the minimum order value) falls below 10^-18, finer than the 18 places quantities are
 * divided to, and the strategy's indicators, which read prices as doubles, stop holding them to
 * the unit (2^53 ~ 9e15). No market trades near it: BTC in the weakest currencies is ~1e10.
 */
const PRICE_MAX = Decimal.parse('1e15');
/**
 * Decimal places a price may have. Fill prices are divided to 18 places (a slippage limit, an
 * average), so a finer price is rounded the moment it is traded; and a price of at most 18 places
 * times a quantity of at most 18 stays within the 36 Decimal multiplies exactly.
 */
const PRICE_PLACES = 18;
const PRICES = ['open', 'high', 'low', 'close'] as const;

/**
 * A bar whose prices contradict each other is corrupt; replaying it would fake a fill or a stop.
 * One whose prices no market has (above PRICE_MAX, or finer than PRICE_PLACES) would be traded
 * with rounded money, so it is refused too.
 */
export function checkCandle(c: Candle): BarProblem | undefined {
  if (!c.low.isPositive()) return { code: 'inconsistent_bar', column: 'low', value: c.low.toString(), expected: 'a price above 0' };
  if (cmp(c.high, c.low) < 0) {
    return { code: 'inconsistent_bar', column: 'high', value: c.high.toString(), expected: `high >= low (${c.low.toString()})` };
  }
  if (cmp(c.open, c.low) < 0 || cmp(c.open, c.high) > 0) {
    return { code: 'inconsistent_bar', column: 'open', value: c.open.toString(), expected: `open within low..high (${c.low.toString()}..${c.high.toString()})` };
  }
  if (cmp(c.close, c.low) < 0 || cmp(c.close, c.high) > 0) {
    return { code: 'inconsistent_bar', column: 'close', value: c.close.toString(), expected: `close within low..high (${c.low.toString()}..${c.high.toString()})` };
  }
  // Every price is within low..high by now: the high bounds them all.
  if (cmp(c.high, PRICE_MAX) > 0) {
    return { code: 'bad_value', column: 'high', value: c.high.toString(), expected: `a price of at most ${PRICE_MAX.toString()} (1e15): no market trades near it, and above it quantities and the indicators lose precision` };
  }
  if (c.open.scale > PRICE_PLACES || c.high.scale > PRICE_PLACES || c.low.scale > PRICE_PLACES || c.close.scale > PRICE_PLACES) {
    const column = PRICES.find((p) => c[p].scale > PRICE_PLACES) ?? 'low';
    return { code: 'bad_value', column, value: c[column].toString(), expected: `a price of at most ${PRICE_PLACES} decimal places: fills are priced to ${PRICE_PLACES}, a finer price would be rounded when traded` };
  }
  return undefined;
}

/**
 * Bars of one file must come in time order, one per interval at most, on the interval grid. A gap
 * (a later bar) is fine here: the feed reports it. Going back or repeating a time is corruption.
 */
export function checkSequence(previousOpenTime: number | undefined, openTime: number, intervalMs: number): BarProblem | undefined {
  if (openTime % intervalMs !== 0) {
    const timeframe = timeframeOf(intervalMs);
    const grid = timeframe === undefined ? `${spacingText(intervalMs)} grid` : `${timeframe} grid of market_data.timeframe=${timeframe}`;
    return { code: 'misaligned_bar', column: 'timestamp', value: new Date(openTime).toISOString(), expected: `a bar open time on the ${grid}` };
  }
  if (previousOpenTime === undefined) return undefined;
  if (openTime === previousOpenTime) {
    return { code: 'duplicate_bar', column: 'timestamp', value: new Date(openTime).toISOString(), expected: `one bar per open time; the previous row has the same time` };
  }
  if (openTime < previousOpenTime) {
    return {
      code: 'out_of_order',
      column: 'timestamp',
      value: new Date(openTime).toISOString(),
      expected: `a time after the previous row's ${new Date(previousOpenTime).toISOString()} (rows in ascending time order)`,
    };
  }
  return undefined;
}
