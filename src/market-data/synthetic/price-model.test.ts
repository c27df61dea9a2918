import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_MODEL, PriceModel } from './price-model.js';
import { SeededRandom } from './seeded-random.js';
import { defaultStartPrice } from './start-price.js';

interface Range {
  readonly low: number;
  readonly high: number;
  readonly last: number;
  readonly maxBarMove: number;
  /** Root mean square of the 1-bar log returns. */
  readonly rms: number;
}

/** Steps a model as the feed builds it for `symbol` (same stream, same start), without the feed's Decimals and recorder. */
function walk(seed: number, symbol: string, bars: number): Range & { readonly start: number } {
  const start = Number(defaultStartPrice(symbol));
  const model = new PriceModel(start, new SeededRandom(seed, symbol));
  let low = start;
  let high = start;
  let last = start;
  let maxBarMove = 0;
  let squares = 0;
  let count = 0;
  for (let i = 0; i < bars; i++) {
    const bar = model.step();
    if (bar === undefined) continue;
    low = Math.min(low, bar.low);
    high = Math.max(high, bar.high);
    const move = Math.log(bar.close / last);
    maxBarMove = Math.max(maxBarMove, Math.abs(move));
    squares += move * move;
    count++;
    last = bar.close;
  }
  return { start, low, high, last, maxBarMove, rms: Math.sqrt(squares / count) };
}

describe('PriceModel', () => {
  it('stays in a plausible range for its asset over years of 1-minute bars', () => {
    // 3 million bars is 5.7 years. Before the pull toward home and the bounded volatility, these
    // walks reached 10^8 times their start, or 10^-8 of it (seed 42 is the default seed).
    for (const [seed, symbol] of [[42, 'BTC/USDT'], [7, 'ETH/USDT'], [1234, 'SOL/USDT']] as const) {
      const { start, low, high, maxBarMove, rms } = walk(seed, symbol, 3_000_000);
      const name = `${symbol} seed ${seed}`;
      expect(low / start, `${name} low`).toBeGreaterThan(1 / 20);
      expect(high / start, `${name} high`).toBeLessThan(20);
      // Bounded, not pinned: over years the market still makes moves of several times.
      expect(high / low, `${name} range`).toBeGreaterThan(3);
      // Volatility returns to its level after a burst (fat tails make the rms a little above it),
      // and a burst is a crash, not a blow-up; yet some minute still moves many typical ones.
      const { barVolatility } = DEFAULT_PRICE_MODEL;
      expect(rms, `${name} rms`).toBeGreaterThan(barVolatility);
      expect(rms, `${name} rms`).toBeLessThan(1.5 * barVolatility);
      expect(maxBarMove, `${name} largest move`).toBeGreaterThan(15 * barVolatility);
      expect(maxBarMove, `${name} largest move`).toBeLessThan(0.1);
    }
  });

  it('returns toward its home price from a start far from it, over the half-life', () => {
    const home = 40_000;
    const deviations = [1, 2, 3, 4, 5, 6].map((seed) => {
      const model = new PriceModel(10 * home, new SeededRandom(seed, 'BTC/USDT'), DEFAULT_PRICE_MODEL, home);
      let close = 10 * home;
      for (let i = 0; i < 4 * DEFAULT_PRICE_MODEL.reversionHalfLifeBars; i++) close = model.step()?.close ?? close;
      return Math.log(close / home);
    });
    // Four half-lives take ln 10 (2.3) down to about 0.14 on average; each market's noise around
    // home is about 0.45 wide. A free walk would still sit around 2.3.
    expect(deviations.reduce((sum, d) => sum + d, 0) / deviations.length).toBeLessThan(0.6);
    for (const d of deviations) expect(Math.abs(d)).toBeLessThan(Math.log(4));
  });

  it('refuses parameters under which the market cannot stay finite', () => {
    const random = new SeededRandom(1);
    expect(() => new PriceModel(100, random, { ...DEFAULT_PRICE_MODEL, garchAlpha: 0.1, garchBeta: 0.9 })).toThrow(RangeError);
    expect(() => new PriceModel(100, random, { ...DEFAULT_PRICE_MODEL, reversionHalfLifeBars: 0 })).toThrow(RangeError);
    expect(() => new PriceModel(100, random, { ...DEFAULT_PRICE_MODEL, maxVolatilityMultiple: 0.5 })).toThrow(RangeError);
    expect(() => new PriceModel(100, random, DEFAULT_PRICE_MODEL, 0)).toThrow(RangeError);
  });
});
