import { describe, expect, it } from 'vitest';
import { priceModelForInterval } from './interval-model.js';
import { DEFAULT_PRICE_MODEL, PriceModel } from './price-model.js';
import { SeededRandom } from './seeded-random.js';

/** Standard deviation of the log returns of `bars` model bars. */
function returnDeviation(intervalMs: number, bars: number): number {
  const model = new PriceModel(40_000, new SeededRandom(7, 'BTC/USDT'), priceModelForInterval(DEFAULT_PRICE_MODEL, intervalMs));
  const returns: number[] = [];
  for (let i = 0; i < bars; i++) {
    const bar = model.step();
    if (bar !== undefined) returns.push(Math.log(bar.close / bar.open));
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  return Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
}

describe('priceModelForInterval', () => {
  it('leaves 1-minute bars as they were (same seed, same market)', () => {
    expect(priceModelForInterval(DEFAULT_PRICE_MODEL, 60_000)).toBe(DEFAULT_PRICE_MODEL);
  });

  it('gives 1-hour bars about sqrt(60) times the 1-minute volatility, regimes and reversion as long in time', () => {
    const hourly = priceModelForInterval(DEFAULT_PRICE_MODEL, 3_600_000);
    expect(hourly.barVolatility).toBeCloseTo(DEFAULT_PRICE_MODEL.barVolatility * Math.sqrt(60), 12);
    expect(hourly.regimeBars).toBe(4);
    expect(hourly.reversionHalfLifeBars).toBe(720);
    expect(hourly.quoteVolumePerBar).toBe(DEFAULT_PRICE_MODEL.quoteVolumePerBar * 60);
    const ratio = returnDeviation(3_600_000, 20_000) / returnDeviation(60_000, 20_000);
    expect(ratio).toBeGreaterThan(Math.sqrt(60) * 0.8);
    expect(ratio).toBeLessThan(Math.sqrt(60) * 1.25);
  });
});
