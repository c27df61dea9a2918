import type { Recorder } from '../recorder/recorder.js';
import { isoTime, type Bar } from './bar.js';

export interface StalenessOptions {
  /**
   * Age (time since the latest bar closed, on the feed clock) above which data is stale; never less
   * than one bar length (intervalMs), which is how old the latest close is when the next is due.
   */
  readonly thresholdMs: number;
  readonly intervalMs: number;
  /** Where DATA_STALE / DATA_RESUMED go; none in a unit test that only asks ages. */
  readonly recorder?: Recorder;
}

/** One symbol's data freshness, as the heartbeat shows it. */
export interface SymbolFreshness {
  readonly symbol: string;
  /** Null before the first bar. */
  readonly ageMs: number | null;
  readonly stale: boolean;
}

interface Entry {
  lastOpenTime: number;
  staleSince: number;
}

/**
 * How old each symbol's latest bar is. Ages are on the feed clock, so a replay at 60x goes stale
 * after the same data time as a live feed, and a symbol with a hole goes stale while the others
 * run on. A symbol with no bar yet counts as stale: no data is no reason to buy.
 */
export class StalenessTracker {
  readonly thresholdMs: number;
  private readonly intervalMs: number;
  /**
   * The threshold, or one bar length when that is longer: on 1-hour bars the latest close is up
   * to an hour old while the next bar forms, and a 2-minute threshold would mark every symbol
   * stale (DATA_STALE, then DATA_RESUMED) between any two bars of a feed that is on time.
   */
  private readonly staleAfterMs: number;
  private readonly recorder: Recorder | undefined;
  private readonly entries = new Map<string, Entry>();

  constructor(options: StalenessOptions) {
    if (!(options.thresholdMs > 0)) throw new RangeError(`staleness threshold must be a positive number of ms, got ${options.thresholdMs}`);
    this.thresholdMs = options.thresholdMs;
    this.intervalMs = options.intervalMs;
    this.staleAfterMs = Math.max(options.thresholdMs, options.intervalMs);
    this.recorder = options.recorder;
  }

  /** Symbols to report even before their first bar. */
  track(symbols: readonly string[]): void {
    for (const symbol of symbols) if (!this.entries.has(symbol)) this.entries.set(symbol, { lastOpenTime: Number.NaN, staleSince: Number.NaN });
  }

  /** Records a delivered bar; ends a stale spell (DATA_RESUMED) if there was one. */
  observe(bar: Bar, now: number): void {
    const entry = this.entries.get(bar.symbol);
    if (entry === undefined) {
      this.entries.set(bar.symbol, { lastOpenTime: bar.openTime, staleSince: Number.NaN });
      return;
    }
    if (!(bar.openTime <= entry.lastOpenTime)) entry.lastOpenTime = bar.openTime;
    if (!Number.isNaN(entry.staleSince)) {
      this.recorder?.emit('DATA_RESUMED', { symbol: bar.symbol, stale_for_ms: Math.max(0, now - entry.staleSince), bar_ts: isoTime(bar.openTime) });
      entry.staleSince = Number.NaN;
    }
  }

  /** Time since the symbol's latest bar closed, at feed time `now`; null before its first bar. */
  ageMs(symbol: string, now: number): number | null {
    const last = this.entries.get(symbol)?.lastOpenTime;
    if (last === undefined || Number.isNaN(last)) return null;
    return Math.max(0, now - (last + this.intervalMs));
  }

  isStale(symbol: string, now: number): boolean {
    const age = this.ageMs(symbol, now);
    return age === null || age > this.staleAfterMs;
  }

  /** Looks at every symbol; the first time one is past the threshold, logs DATA_STALE. */
  check(now: number): void {
    for (const [symbol, entry] of this.entries) {
      if (Number.isNaN(entry.lastOpenTime) || !Number.isNaN(entry.staleSince)) continue;
      const age = now - (entry.lastOpenTime + this.intervalMs);
      if (age > this.staleAfterMs) {
        entry.staleSince = entry.lastOpenTime + this.intervalMs + this.staleAfterMs;
        this.recorder?.emit('DATA_STALE', { symbol, age_ms: age, threshold_ms: this.staleAfterMs, last_bar_ts: isoTime(entry.lastOpenTime) });
      }
    }
  }

  snapshot(now: number): SymbolFreshness[] {
    return [...this.entries.keys()].map((symbol) => ({ symbol, ageMs: this.ageMs(symbol, now), stale: this.isStale(symbol, now) }));
  }
}
