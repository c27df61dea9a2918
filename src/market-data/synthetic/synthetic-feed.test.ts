import { describe, expect, it, vi } from 'vitest';
import type { EventType } from '../../recorder/events/catalog.js';
import { lineSchema } from '../../recorder/events/catalog.js';
import { NullSink } from '../../recorder/line-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import type { Bar } from '../bar.js';
import { checkCandle } from '../bar-checks.js';
import { Decimal } from '../../domain/decimal.js';
import { SyntheticFeed, type SyntheticFeedOptions } from './synthetic-feed.js';

const START = Date.UTC(2024, 0, 1);

async function run(options: Omit<SyntheticFeedOptions, 'recorder'>, onBar?: (bar: Bar, feed: SyntheticFeed) => void) {
  const recorder = new Recorder({ sessionId: 'session_20240101_000000', sink: new NullSink() });
  const events: Array<Record<string, unknown> & { event_type: EventType }> = [];
  recorder.onLine((type, _fields, line) => {
    const parsed = JSON.parse(line) as Record<string, unknown> & { event_type: EventType };
    lineSchema(type).parse(parsed);
    events.push(parsed);
  });
  const feed = new SyntheticFeed({ ...options, recorder });
  const bars: Bar[] = [];
  const reason = await feed.start((bar) => {
    bars.push(bar);
    onBar?.(bar, feed);
  });
  return { reason, bars, events, feed };
}

const text = (b: Bar) => [b.symbol, b.openTime, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString()].join(' ');

function correlation(x: readonly number[], y: readonly number[]): number {
  const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = (x[i] ?? 0) - mx;
    const dy = (y[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('SyntheticFeed', () => {
  it('is deterministic under a seed, and another seed gives another market', async () => {
    const options = { symbols: ['BTC/USDT', 'ETH/USDT'], speed: 'max' as const, maxBars: 3000, startTime: START };
    const a = await run({ ...options, seed: 7 });
    const b = await run({ ...options, seed: 7 });
    const c = await run({ ...options, seed: 8 });
    expect(a.bars.map(text)).toEqual(b.bars.map(text));
    expect(a.bars.map(text)).not.toEqual(c.bars.map(text));
    expect(a.reason).toBe('data_end');
  });

  it('resumed, goes on from the price it is given with moves of its own, still fixed by the seed', async () => {
    // Ahead of the wall clock, as a fast session leaves it: the feed then starts right there.
    const resumeAfter = (Math.floor(Date.now() / 60_000) + 24 * 60) * 60_000;
    const options = { symbols: ['BTC/USDT'], seed: 7, speed: 'max' as const, maxBars: 300, warmupBars: 0 };
    const fresh = await run({ ...options, startTime: START, startPrices: { 'BTC/USDT': '41234.5' } });
    const resumed = await run({ ...options, resumeAfter: new Map([['BTC/USDT', resumeAfter]]), startPrices: { 'BTC/USDT': '41234.5' } });
    const again = await run({ ...options, resumeAfter: new Map([['BTC/USDT', resumeAfter]]), startPrices: { 'BTC/USDT': '41234.5' } });
    expect(resumed.bars[0]?.openTime).toBe(resumeAfter);
    expect(resumed.bars[0]?.open.toString()).toBe('41234.5');
    expect(again.bars.map(text)).toEqual(resumed.bars.map(text));
    // From the same price, not the fresh market's moves: every restart used to replay one path.
    const closes = (bars: readonly Bar[]): string[] => bars.map((b) => b.close.toString());
    expect(closes(resumed.bars)).not.toEqual(closes(fresh.bars));
  });

  it('homes a fresh market at its start price, a resumed one at the home of the market it continues', async () => {
    // A half-life of 50 bars shows in 1000 what the default's 30 days shows in months.
    const options = { symbols: ['BTC/USDT'], seed: 7, speed: 'max' as const, maxBars: 1000, warmupBars: 0, startPrices: { 'BTC/USDT': '400000' }, model: { reversionHalfLifeBars: 50 } };
    // The resumed market's random stream is seeded with where it resumes, which follows the wall
    // clock: a fixed clock makes its path, and so this check, the same on every run. (On 3 clock
    // minutes in 25 the path ended more than 1.25x from home: in a range regime the pull toward the
    // range's own center, 0.02 a bar, outweighs this test's short 50-bar half-life.)
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    const resumeAfter = new Map([['BTC/USDT', (Math.floor(Date.now() / 60_000) + 24 * 60) * 60_000]]);
    const fresh = await run({ ...options, startTime: START });
    const resumed = await run({ ...options, resumeAfter }).finally(() => vi.useRealTimers());
    const lastClose = (bars: readonly Bar[]): number => bars.at(-1)?.close.toNumber() ?? Number.NaN;
    expect(resumed.bars[0]?.open.toString()).toBe('400000');
    // Homed where it resumed, every restart would let the market drift on from the last one.
    expect(Math.abs(Math.log(lastClose(resumed.bars) / 40_000))).toBeLessThan(Math.log(1.25));
    expect(Math.abs(Math.log(lastClose(fresh.bars) / 400_000))).toBeLessThan(Math.log(1.25));
  });

  it('resumes each symbol from its own point: one decided further on starts later, not back at the others\' point', async () => {
    // The markets' random streams are seeded with where they resume, which follows the wall clock;
    // on about one minute in 200 a gap ran past a market's last bar, where no DATA_GAP can report
    // it, and the count below came up short. A fixed clock makes that a fixed, checked case.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    const ahead = (Math.floor(Date.now() / 60_000) + 24 * 60) * 60_000;
    const resumeAfter = new Map([['BTC/USDT', ahead + 100 * 60_000], ['ETH/USDT', ahead]]);
    const { bars, events } = await run({ symbols: ['BTC/USDT', 'ETH/USDT'], seed: 3, speed: 'max', maxBars: 150, warmupBars: 10, resumeAfter }).finally(() => vi.useRealTimers());
    const first = (symbol: string): number | undefined => bars.find((b) => b.symbol === symbol)?.openTime;
    expect(first('ETH/USDT')).toBe(ahead - 10 * 60_000);
    expect(first('BTC/USDT')).toBe(ahead + 90 * 60_000);
    // maxBars counts from each market's own start, the bars a gap left out included.
    const missing = (symbol: string): number =>
      events.filter((e) => e.event_type === 'DATA_GAP' && e['symbol'] === symbol).reduce((n, g) => n + (g['missing_bars'] as number), 0);
    expect(['BTC/USDT', 'ETH/USDT'].map((symbol) => bars.filter((b) => b.symbol === symbol).length + missing(symbol))).toEqual([150, 150]);
  });

  it('starts near real prices on a tick grid, with consistent OHLC on the minute grid', async () => {
    const { bars } = await run({ symbols: ['BTC/USDT', 'ETH-USDT', 'FOO/USDT'], seed: 1, speed: 'max', maxBars: 5000, startTime: START });
    const first = (symbol: string) => bars.find((b) => b.symbol === symbol);
    expect(first('BTC/USDT')?.open.toString()).toBe('40000');
    expect(first('ETH-USDT')?.open.toString()).toBe('2500');
    expect(first('FOO/USDT')?.open.toString()).toBe('100');
    expect(bars.filter((b) => b.symbol === 'BTC/USDT').every((b) => b.close.scale <= 2 && b.high.scale <= 2)).toBe(true);
    expect(bars.map(checkCandle).filter((p) => p !== undefined)).toEqual([]);
    expect(bars.every((b) => b.openTime % 60_000 === 0 && b.openTime >= START)).toBe(true);
  });

  it("puts every price on its market's tick when given one (0.01 for ETH/USDT, 0.5 for BTC/USD), not on 7 significant digits", async () => {
    // ETH at 2374.638 on a market of 0.01 ticks: the fills priced off such a candle's high were off the tick too.
    const tickSizes = new Map([['ETH/USDT', Decimal.parse('0.01')], ['BTC/USD', Decimal.parse('0.5')]]);
    const { bars } = await run({ symbols: ['ETH/USDT', 'BTC/USD'], seed: 1, speed: 'max', maxBars: 3000, startTime: START, tickSizes });
    for (const [symbol, tick] of tickSizes) {
      const prices = bars.filter((b) => b.symbol === symbol).flatMap((b) => [b.open, b.high, b.low, b.close]);
      expect(prices.length).toBeGreaterThan(4 * 2900);
      expect(prices.filter((p) => !p.isMultipleOf(tick)).map((p) => p.toString())).toEqual([]);
    }
    expect(bars.map(checkCandle).filter((p) => p !== undefined)).toEqual([]);
  });

  it('has volatility clustering, volume that follows volatility, spikes, and reported gaps', async () => {
    const { bars, events } = await run({ symbols: ['BTC/USDT'], seed: 42, speed: 'max', maxBars: 20_000, startTime: START });
    const returns = bars.slice(1).map((b, i) => Math.log(b.close.toNumber() / (bars[i]?.close.toNumber() ?? 1)));
    const size = returns.map(Math.abs);
    // |r_t| against |r_t-1|: near 0 for independent returns, clearly positive when volatility clusters.
    expect(correlation(size.slice(1), size.slice(0, -1))).toBeGreaterThan(0.15);
    expect(correlation(size, bars.slice(1).map((b) => b.volume.toNumber()))).toBeGreaterThan(0.3);
    const wick = bars.map((b) => (b.high.toNumber() - b.low.toNumber()) / b.close.toNumber()).sort((x, y) => x - y);
    expect((wick.at(-1) ?? 0) / (wick[Math.floor(wick.length / 2)] ?? 1)).toBeGreaterThan(8);
    const gaps = events.filter((e) => e.event_type === 'DATA_GAP');
    expect(gaps.length).toBeGreaterThan(3);
    const missing = gaps.reduce((n, g) => n + (g['missing_bars'] as number), 0);
    expect(bars.length + missing).toBe(20_000);
    expect(gaps[0]).toMatchObject({ symbol: 'BTC/USDT', source: 'synthetic:42' });
    expect(events.at(-1)).toMatchObject({ event_type: 'FEED_END', reason: 'data_end', bars: bars.length, gaps: gaps.length, missing_bars: missing });
  });

  it('delivers warm-up bars at once, then paces at the chosen speed, and stops on request', async () => {
    const started = performance.now();
    const times: number[] = [];
    const { reason, bars } = await run({ symbols: ['BTC/USDT'], seed: 3, speed: 600, warmupBars: 30, model: { gapRate: 0 } }, (_bar, feed) => {
      times.push(performance.now() - started);
      if (times.length === 33) feed.stop();
    });
    expect(reason).toBe('stopped');
    expect(bars).toHaveLength(33);
    // 60 s bars at 600x: one every 100 ms after the warm-up.
    expect(times[29]).toBeLessThan(500);
    expect((times[32] ?? 0) - (times[29] ?? 0)).toBeGreaterThanOrEqual(280);
    // Bars of a paced feed end near now: the warm-up history leads up to the current minute.
    expect(Date.now() - (bars[29]?.openTime ?? 0)).toBeLessThan(3 * 60_000);
  });
});
