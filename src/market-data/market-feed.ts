import type { Bar } from './bar.js';

/** 1 = real time (one bar per interval), N = N times faster, 'max' = as fast as the consumer goes. */
export type ReplaySpeed = number | 'max';

/** How a feed's start() ends: the data ran out, or stop() was called. Bad data rejects instead. */
export type FeedEndReason = 'data_end' | 'stopped';

export type FeedKind = 'replay' | 'synthetic';

/** Called once per bar, in time order; the feed waits for a returned promise before the next bar. */
export type BarHandler = (bar: Bar) => void | Promise<void>;

export interface FeedStats {
  readonly bars: number;
  readonly gaps: number;
  readonly missingBars: number;
}

/**
 * A source of bars for the engine. `start` delivers every bar to `onBar` and resolves with why it
 * ended; it rejects with the error when the data is bad (a CandleFileError) or `onBar` throws.
 */
export interface MarketFeed {
  readonly kind: FeedKind;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /**
   * The feed clock, ms UTC: where in the data's timeline we are. During a replay it runs at the
   * replay speed (at 'max', it is the close of the latest bar); staleness is measured on it.
   * NaN before the first bar.
   */
  now(): number;
  start(onBar: BarHandler): Promise<FeedEndReason>;
  /** Ends delivery after the bar in hand; start() then resolves 'stopped'. Idempotent. */
  stop(): void;
  stats(): FeedStats;
}

export class SpeedError extends Error {
  readonly code = 'invalid_speed' as const;
  readonly retryable = false;
  constructor(readonly input: string) {
    super(`invalid speed ${JSON.stringify(input)}: expected a positive number (1 = real time, 60 = 60x) or "max"`);
    this.name = 'SpeedError';
  }
}

/** Reads `--speed` text: `1`, `60`, `0.5`, `max`. */
export function parseSpeed(text: string): ReplaySpeed {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'max') return 'max';
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value) || value <= 0) throw new SpeedError(text);
  return value;
}
