import { parseDuration } from '../config/duration.js';
import { TIMEFRAMES, type Timeframe } from '../config/sections/market-data.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_WORD = { m: 'minute', h: 'hour', d: 'day' } as const;

/** The bar length of a market_data.timeframe value, in ms: a timeframe is a duration as the config writes them. */
export function timeframeMs(timeframe: Timeframe): number {
  const ms = parseDuration(timeframe);
  if (ms === undefined) throw new RangeError(`market_data.timeframe ${timeframe}: not a duration`);
  return ms;
}

/** The timeframe value whose bars are `ms` long, if it is one the config takes. */
export function timeframeOf(ms: number): Timeframe | undefined {
  return TIMEFRAMES.find((timeframe) => timeframeMs(timeframe) === ms);
}

/** A bar spacing in words: `1 minute`, `5 minutes`, `4 hours`, `90 seconds`. */
export function spacingText(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = UNIT_MS[unit];
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${UNIT_WORD[unit]}${n === 1 ? '' : 's'}`;
    }
  }
  const seconds = ms / 1000;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
