import type { Candle } from '../domain/candle.js';
import type { Signal } from './signal.js';

/**
 * A strategy for one symbol. The engine feeds it every bar in order (indicators need all of them,
 * not only the bars a decision runs on) and gets a signal back for that bar.
 */
export interface Strategy {
  /** Logged as DECISION_START's `strategy`. */
  readonly name: string;
  /** Bars needed before it can signal at all. */
  readonly warmupBars: number;
  onBar(bar: Candle): Signal;
  /** The latest ATR as % of the close, for the volatility guard; null while warming up. */
  readonly atrPercent: number | null;
}

/** Makes the strategy instance of one symbol (each symbol keeps its own indicators). */
export type StrategyFactory = (symbol: string) => Strategy;
