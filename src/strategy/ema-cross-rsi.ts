import type { Candle } from '../domain/candle.js';
import { AtrIndicator } from './indicators/atr-indicator.js';
import { EmaIndicator } from './indicators/ema-indicator.js';
import { RsiIndicator } from './indicators/rsi-indicator.js';
import type { Signal } from './signal.js';
import type { Strategy, StrategyFactory } from './strategy.js';
import { StrategyOptionsError } from './strategy-options-error.js';
import { checkPeriod } from './indicators/check-period.js';

export interface EmaCrossRsiOptions {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly rsiPeriod: number;
  /** Buy only while RSI is below this: a cross into an overbought market is a late entry. */
  readonly rsiMax: number;
  /** Period of the ATR behind the volatility guard. */
  readonly atrPeriod: number;
}

/**
 * The config's defaults (`strategy.ema_fast`, `ema_slow`, `rsi_period`, `rsi_max`, `atr_period`):
 * one answer to "what does the bot run with" whether it is built from config or in code. A test
 * holds the two together. The RSI cap filters the crosses that come after a spike.
 */
export const DEFAULT_EMA_CROSS_RSI: EmaCrossRsiOptions = {
  fastPeriod: 9,
  slowPeriod: 21,
  rsiPeriod: 14,
  rsiMax: 70,
  atrPeriod: 14,
};

/** The config's name for this strategy (strategy.name): logs and config use one word for it. */
export const EMA_CROSS_RSI = 'ema_rsi';

/** The full options, defaults filled in, or a StrategyOptionsError naming the bad one. */
export function emaCrossRsiOptions(partial: Partial<EmaCrossRsiOptions> = {}): EmaCrossRsiOptions {
  const o = { ...DEFAULT_EMA_CROSS_RSI, ...partial };
  for (const [name, period] of [['fast', o.fastPeriod], ['slow', o.slowPeriod], ['rsi', o.rsiPeriod], ['atr', o.atrPeriod]] as const) {
    checkPeriod(name, period);
  }
  if (!(o.fastPeriod < o.slowPeriod)) {
    throw new StrategyOptionsError('fast_period', o.fastPeriod, `fewer bars than slow_period (${o.slowPeriod})`);
  }
  if (!(o.rsiMax > 0 && o.rsiMax <= 100)) throw new StrategyOptionsError('rsi_max', o.rsiMax, 'a number above 0 and at most 100');
  return o;
}

/**
 * Buys when the fast EMA of closes crosses above the slow one (it was at or below on the previous
 * bar, and is above now) while RSI is below `rsiMax`.
 */
export class EmaCrossRsiStrategy implements Strategy {
  readonly name = EMA_CROSS_RSI;
  readonly warmupBars: number;
  private readonly fast: EmaIndicator;
  private readonly slow: EmaIndicator;
  private readonly rsi: RsiIndicator;
  private readonly atr: AtrIndicator;
  private readonly rsiMax: number;
  private wasAbove: boolean | null = null;

  constructor(options: Partial<EmaCrossRsiOptions> = {}) {
    const o = emaCrossRsiOptions(options);
    this.fast = new EmaIndicator(o.fastPeriod);
    this.slow = new EmaIndicator(o.slowPeriod);
    this.rsi = new RsiIndicator(o.rsiPeriod);
    this.atr = new AtrIndicator(o.atrPeriod);
    this.rsiMax = o.rsiMax;
    // One bar more than the slowest indicator: a cross needs the bar before it too.
    this.warmupBars = Math.max(o.slowPeriod, o.rsiPeriod + 1, o.atrPeriod) + 1;
  }

  get atrPercent(): number | null {
    return this.atr.percentOfPrice;
  }

  onBar(bar: Candle): Signal {
    const close = bar.close.toNumber();
    const fast = this.fast.update(close);
    const slow = this.slow.update(close);
    const rsi = this.rsi.update(close);
    const atr = this.atr.update(bar.high.toNumber(), bar.low.toNumber(), close);
    const atrPct = this.atr.percentOfPrice;
    if (fast === null || slow === null || rsi === null || atr === null || atrPct === null) {
      const known: Record<string, number> = { close };
      if (fast !== null) known['ema_fast'] = fast;
      if (slow !== null) known['ema_slow'] = slow;
      if (rsi !== null) known['rsi'] = rsi;
      return { kind: 'none', reason: 'warming_up', message: `indicators warming up (${this.warmupBars} bars needed)`, indicators: known };
    }
    const indicators = { close, ema_fast: fast, ema_slow: slow, rsi, atr, atr_pct: atrPct };
    const above = fast > slow;
    const crossed = above && this.wasAbove === false;
    this.wasAbove = above;
    if (!crossed) {
      const where = above ? 'above' : 'at or below';
      return { kind: 'none', reason: 'no_cross', message: `fast EMA ${where} slow EMA, no upward cross on this bar`, indicators };
    }
    if (!(rsi < this.rsiMax)) {
      return { kind: 'none', reason: 'rsi_too_high', message: `EMA crossed up but RSI ${rsi.toFixed(1)} is not below ${this.rsiMax}`, indicators };
    }
    return { kind: 'buy', signal: 'ema_cross_up', price: bar.close, indicators };
  }
}

/** The factory the engine uses: one EmaCrossRsiStrategy per symbol, all with the same options. */
export function emaCrossRsiFactory(options: Partial<EmaCrossRsiOptions> = {}): StrategyFactory {
  const checked = emaCrossRsiOptions(options);
  return () => new EmaCrossRsiStrategy(checked);
}
