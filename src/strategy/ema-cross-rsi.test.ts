import { EMA, RSI } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { loadBars } from '../../test/support/load-bars.js';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import type { Bar } from '../market-data/bar.js';
import { DEFAULT_EMA_CROSS_RSI, EmaCrossRsiStrategy, emaCrossRsiFactory } from './ema-cross-rsi.js';
import type { Signal } from './signal.js';
import { StrategyOptionsError } from './strategy-options-error.js';

const hasData = sharedDataAvailable();

/** 21/55 crosses: rare enough on 1-minute bars that "a few a day" is a real check (the defaults, 9/21, fire more). */
const SLOW_CROSS = { fastPeriod: 21, slowPeriod: 55 } as const;

function signals(bars: readonly Bar[], strategy = new EmaCrossRsiStrategy(SLOW_CROSS)): Signal[] {
  return bars.map((bar) => strategy.onBar(bar));
}

describe.skipIf(!hasData)('EmaCrossRsiStrategy on real candles', () => {
  it('buys on the BTC month a few times a day: not never, not every few bars', async () => {
    const bars = await loadBars(BTC_PERP_CSV);
    const all = signals(bars);
    const buys = all.filter((s) => s.kind === 'buy');
    // 31 days of 1-minute bars: between ~3 and ~30 crosses a day.
    expect(buys.length).toBeGreaterThan(100);
    expect(buys.length).toBeLessThan(1000);
    expect(all.filter((s) => s.kind === 'none' && s.reason === 'rsi_too_high').length).toBeGreaterThan(0);
    expect(all.slice(0, SLOW_CROSS.slowPeriod - 1).every((s) => s.kind === 'none' && s.reason === 'warming_up')).toBe(true);
  });

  it('signals exactly where an independent EMA/RSI computation sees an upward cross under the RSI cap', async () => {
    const bars = await loadBars(BTC_PERP_CSV);
    const all = signals(bars);
    const fast = new EMA(SLOW_CROSS.fastPeriod);
    const slow = new EMA(SLOW_CROSS.slowPeriod);
    const rsi = new RSI(14);
    let previousAbove: boolean | undefined;
    const expected: number[] = [];
    bars.forEach((bar, i) => {
      const close = Number(bar.close.toString());
      const f = fast.add(close);
      const s = slow.add(close);
      const r = rsi.add(close);
      if (i < SLOW_CROSS.slowPeriod - 1 || r === null || f === null || s === null) return;
      const above = f > s;
      if (above && previousAbove === false && r < 70) expected.push(i);
      previousAbove = above;
    });
    const actual = all.flatMap((s, i) => (s.kind === 'buy' ? [i] : []));
    expect(actual).toEqual(expected);
    const first = all[actual[0] ?? -1];
    expect(first).toMatchObject({ kind: 'buy', signal: 'ema_cross_up' });
    if (first?.kind === 'buy') {
      expect(first.price.eq(bars[actual[0] ?? -1]?.close ?? first.price)).toBe(true);
      expect(Object.keys(first.indicators).sort()).toEqual(['atr', 'atr_pct', 'close', 'ema_fast', 'ema_slow', 'rsi']);
      expect(first.indicators['ema_fast']).toBeGreaterThan(first.indicators['ema_slow'] ?? Infinity);
    }
  });

  it('buys on the altcoin file too (prices near 0.0016)', async () => {
    const buys = signals(await loadBars(ALTCOIN_JSON)).filter((s) => s.kind === 'buy');
    expect(buys.length).toBeGreaterThan(20);
    expect(buys.length).toBeLessThan(1000);
    expect(buys.every((b) => b.kind === 'buy' && b.price.lt(Decimal.parse('0.01')) && (b.indicators['atr_pct'] ?? 0) > 0)).toBe(true);
  });

  it('gives each symbol its own indicators through the factory', async () => {
    const bars = (await loadBars(BTC_PERP_CSV)).slice(0, 500);
    const make = emaCrossRsiFactory();
    const a = make('BTC-PERP');
    const b = make('BTC-PERP');
    bars.forEach((bar) => a.onBar(bar));
    expect(a.atrPercent).not.toBeNull();
    expect(b.atrPercent).toBeNull();
  });
});

describe('EmaCrossRsiStrategy options', () => {
  it('defaults to what the config defaults to, so code and config run the same strategy', () => {
    const loaded = loadConfig({ env: {}, cwd: process.cwd() });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { strategy } = loaded.value.config;
    expect(DEFAULT_EMA_CROSS_RSI).toEqual({
      fastPeriod: strategy.ema_fast, slowPeriod: strategy.ema_slow, rsiPeriod: strategy.rsi_period, rsiMax: strategy.rsi_max, atrPeriod: strategy.atr_period,
    });
  });

  it("is logged under the name the config selects it by (strategy.name), so DECISION_START's strategy is the operator's word", () => {
    const loaded = loadConfig({ env: {}, cwd: process.cwd() });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(emaCrossRsiFactory()('BTC/USDT').name).toBe(loaded.value.config.strategy.name);
  });

  it.each([
    [{ fastPeriod: 55, slowPeriod: 21 }, 'fast_period'],
    [{ fastPeriod: 0 }, 'fast_period'],
    [{ rsiPeriod: 2.5 }, 'rsi_period'],
    [{ rsiMax: 0 }, 'rsi_max'],
    [{ rsiMax: 101 }, 'rsi_max'],
  ])('rejects %j naming %s', (options, option) => {
    expect(() => emaCrossRsiFactory(options)).toThrow(StrategyOptionsError);
    try {
      emaCrossRsiFactory(options);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_strategy_options', option, retryable: false });
    }
  });
});
