import { MINUTE_MS } from '../bar.js';
import type { PriceModelParams } from './price-model.js';

/** Fewest bars a regime lasts on long bars: a trend of one daily bar would be noise, not a trend. */
const MIN_REGIME_BARS = 4;

/**
 * The model's 1-minute knobs for bars `intervalMs` long, so a market of 1-hour bars moves over a
 * day as the 1-minute one does: volatility grows with the square root of the bar length (one
 * 1-hour bar's return is the sum of 60 one-minute returns), drift and traded value with the length,
 * regimes and the pull toward home keep their length in time (fewer bars each, a regime never under
 * MIN_REGIME_BARS, its drift per bar then set so a regime still moves the price as far). Chances of
 * a spike, a jump or a hole stay per bar, sized in the bar's own volatility: rare events of the
 * bar, not 60 of them piled into one. 1-minute bars get `base` unchanged.
 */
export function priceModelForInterval(base: PriceModelParams, intervalMs: number): PriceModelParams {
  const minutes = intervalMs / MINUTE_MS;
  if (minutes === 1) return base;
  const regimeBars = Math.max(MIN_REGIME_BARS, base.regimeBars / minutes);
  return {
    ...base,
    barVolatility: base.barVolatility * Math.sqrt(minutes),
    regimeBars,
    trendDrift: (base.trendDrift * base.regimeBars) / regimeBars,
    reversionHalfLifeBars: Math.max(1, base.reversionHalfLifeBars / minutes),
    quoteVolumePerBar: base.quoteVolumePerBar * minutes,
  };
}
