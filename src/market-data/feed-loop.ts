import type { Recorder } from '../recorder/recorder.js';
import type { EventInput } from '../recorder/events/catalog.js';
import { isoTime, type Bar } from './bar.js';
import { FeedClock, type FeedHoldUp } from './feed-clock.js';
import type { BarHandler, FeedEndReason, FeedKind, FeedStats, ReplaySpeed } from './market-feed.js';
import type { StalenessTracker } from './staleness-tracker.js';

export interface FeedLoopOptions {
  readonly kind: FeedKind;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  readonly speed: ReplaySpeed;
  readonly recorder: Recorder;
  readonly staleness?: StalenessTracker | undefined;
  /** Bars delivered at full speed before pacing starts (history for the indicators). */
  readonly warmupBars?: number | undefined;
  /**
   * The close up to which an earlier session decided every symbol of this feed: bars closing at or
   * before it only warm the indicators, so they are delivered at full speed too. Paced, a restart
   * after hours of trading at --speed 1 would sit silent for those hours before its first decision.
   * One time for all symbols: a symbol fast-forwarded past the others would move the clock, and the
   * others' bars of that minute would then be due at once, unpaced.
   */
  readonly decidedUntil?: number | undefined;
  /**
   * The close up to which an earlier session on this data directory delivered every symbol's bars
   * and reported their holes and staleness (DATA_GAP, DATA_STALE, DATA_RESUMED): a restart replays
   * those bars only to warm its indicators, and reporting them again would put the same hole in
   * the logs twice and count it in this session's FEED_END. Unset (a fresh session, whose warm-up
   * bars are reported as ever) reports every bar. A replay passes its decidedUntil; a synthetic
   * feed only its resume point, not its own warm-up.
   */
  readonly reportedUntil?: number | undefined;
  /**
   * Where a symbol's bars come from, for DATA_GAP's source; `openTime` is the first bar after the
   * gap, so a replay can answer `file:line` of it.
   */
  readonly sourceOf: (symbol: string, openTime: number) => string;
  /**
   * Called while the feed waits for a bar's time: after each slice of a paced wait (at most 250 ms
   * apart) and after each turn given to the event loop at full speed. The loops that work per bar
   * (the session's MarketDataLoop and DecisionLoop) are idle then, waiting is their job, so the
   * session beats them here: a hole in the data waited through at speed N is not a hang. Never
   * called while a bar is handled (the feed awaits its handler first), and only from a timer, so a
   * decision that never ends or a blocked event loop still stops every beat.
   */
  readonly whileWaiting?: (() => void) | undefined;
}

export class FeedAlreadyStartedError extends Error {
  readonly code = 'feed_already_started' as const;
  readonly retryable = false;
  constructor() {
    super('a market feed can be started once; create a new feed to replay again');
    this.name = 'FeedAlreadyStartedError';
  }
}

/**
 * The delivery loop every feed shares: pacing on the feed clock, gap reports, staleness, stop, and
 * the FEED_START / FEED_END lines around it. Gaps are found here, as the replay reaches the bar
 * after a hole and before it waits for that bar, so DATA_GAP sits in the logs where the silence of
 * a paced replay begins, saying when it ends.
 */
export class FeedLoop {
  private readonly clock: FeedClock;
  private readonly abort = new AbortController();
  private readonly lastOpen = new Map<string, number>();
  /** Open time of the latest bar of any symbol: a symbol's first bar after it by more than an interval ends a hole in the whole feed. */
  private latestOpen = Number.NaN;
  private started = false;
  private bars = 0;
  private gaps = 0;
  private missingBars = 0;

  constructor(private readonly options: FeedLoopOptions) {
    this.clock = new FeedClock({ speed: options.speed, intervalMs: options.intervalMs, onHeldUp: (holdUp) => this.reportHoldUp(holdUp) });
    options.staleness?.track(options.symbols);
  }

  now(): number {
    return this.clock.now();
  }

  stats(): FeedStats {
    return { bars: this.bars, gaps: this.gaps, missingBars: this.missingBars };
  }

  stop(): void {
    this.abort.abort();
  }

  private endLine(reason: FeedEndReason | 'error', startedAt: number): EventInput<'FEED_END'> {
    return {
      reason,
      symbols: [...this.options.symbols],
      bars: this.bars,
      gaps: this.gaps,
      missing_bars: this.missingBars,
      duration_ms: Math.round(performance.now() - startedAt),
    };
  }

  /**
   * Reports the hole `bar` ends, once, as the feed reaches it: before a paced wait through it, so
   * the silence that follows is explained in the log while it lasts. `waitMs`: the wall time that
   * wait will take (undefined when the bar is not waited for).
   */
  private checkGap(bar: Bar, waitMs: number | undefined, reported: boolean): void {
    const { intervalMs } = this.options;
    // A symbol's first bar after the whole feed went without bars (a second file starting after the
    // first one ended): the replay has a hole there too, and a paced one waits through it.
    const previous = this.lastOpen.get(bar.symbol) ?? (Number.isNaN(this.latestOpen) ? undefined : this.latestOpen);
    this.lastOpen.set(bar.symbol, bar.openTime);
    if (!(bar.openTime <= this.latestOpen)) this.latestOpen = bar.openTime;
    // A hole before the resume point was reported (and counted) by the session that decided past it.
    if (reported || previous === undefined || bar.openTime - previous <= intervalMs) return;
    const missing = Math.floor((bar.openTime - previous) / intervalMs) - 1;
    this.gaps++;
    this.missingBars += missing;
    this.options.recorder.emit('DATA_GAP', {
      symbol: bar.symbol,
      from: isoTime(previous + intervalMs),
      to: isoTime(bar.openTime - intervalMs),
      missing_bars: missing,
      interval_s: Math.round(intervalMs / 1000),
      source: this.options.sourceOf(bar.symbol, bar.openTime),
      ...(waitMs === undefined ? {} : { wait_s: Math.round(waitMs) / 1000, resumes_at: isoTime(Date.now() + waitMs) }),
    });
  }

  /**
   * The paced schedule was moved for a hold-up (see FeedClock): says how long, and that the bars of
   * that time were not delivered in a burst, where the replay's decisions pause.
   */
  private reportHoldUp({ heldMs, barsBehind, feedTime }: FeedHoldUp): void {
    const { kind, speed, symbols } = this.options;
    const seconds = Math.round(heldMs / 100) / 10;
    this.options.recorder.emit('LOG', {
      message: `the ${kind} feed was held up ${seconds} s (the process stopped: SIGSTOP, Ctrl-Z, a paused VM; or one bar took that long): pacing resumes at ${isoTime(feedTime)}, where it was, instead of delivering the ${barsBehind} bars it fell behind at once`,
      component: 'market_data',
      data: { held_ms: Math.round(heldMs), bars_behind: barsBehind, resumes_at: isoTime(feedTime), speed, symbols: [...symbols] },
    }, { level: 'warn' });
  }

  /** Logs FEED_END reason error for a failure that ends the feed (bad data, a failing consumer). */
  reportError(error: unknown, startedAt = performance.now()): void {
    const code = (error as { code?: unknown } | undefined)?.code;
    try {
      this.options.recorder.emit(
        'FEED_END',
        { ...this.endLine('error', startedAt), error_code: typeof code === 'string' ? code : 'feed_error', message: error instanceof Error ? error.message : String(error) },
        { level: 'error' },
      );
    } catch {
      // The recorder failing too (it may be why we are here): the original error is the one to throw.
    }
  }

  /** Delivers every bar of `bars` to `onBar`; see MarketFeed.start. */
  async run(bars: AsyncIterable<readonly Bar[]> | Iterable<readonly Bar[]>, onBar: BarHandler, start: EventInput<'FEED_START'>): Promise<FeedEndReason> {
    if (this.started) throw new FeedAlreadyStartedError();
    this.started = true;
    const { recorder, staleness, intervalMs, speed } = this.options;
    const warmup = this.options.warmupBars ?? 0;
    const decidedUntil = this.options.decidedUntil ?? Number.NEGATIVE_INFINITY;
    const reportedUntil = this.options.reportedUntil ?? Number.NEGATIVE_INFINITY;
    const signal = this.abort.signal;
    const startedAt = performance.now();
    const checkStaleness = staleness === undefined ? () => {} : () => staleness.check(this.clock.now());
    const whileWaiting = this.options.whileWaiting;
    const idle = whileWaiting === undefined ? checkStaleness : () => {
      whileWaiting();
      checkStaleness();
    };
    const checkEachBar = staleness !== undefined && this.options.symbols.length > 1;
    recorder.emit('FEED_START', start);
    let reason: FeedEndReason = 'data_end';
    try {
      outer: for await (const batch of bars) {
        for (const bar of batch) {
          if (signal.aborted) {
            reason = 'stopped';
            break outer;
          }
          const closeAt = bar.openTime + intervalMs;
          const unpaced = this.bars < warmup || closeAt <= decidedUntil;
          const reported = closeAt <= reportedUntil;
          this.checkGap(bar, unpaced || speed === 'max' ? undefined : this.clock.wallMsUntil(closeAt), reported);
          if (unpaced) this.clock.jumpTo(closeAt);
          else if (!this.clock.ready(closeAt) && !(await this.clock.waitFor(closeAt, signal, idle))) {
            reason = 'stopped';
            break outer;
          }
          staleness?.observe(bar, closeAt);
          const handled = onBar(bar);
          if (handled instanceof Promise) await handled;
          this.bars++;
          // Observed all the same (the tracker must know the latest bar), but not judged: a stale
          // spell inside the replayed history was the earlier session's to report.
          if (checkEachBar && !reported) checkStaleness();
        }
      }
      if (reason === 'data_end' && signal.aborted) reason = 'stopped';
    } catch (error) {
      this.reportError(error, startedAt);
      throw error;
    }
    recorder.emit('FEED_END', this.endLine(reason, startedAt));
    return reason;
  }

  /** For FEED_START: the times of a known span. */
  static span(first: number, last: number): { first_bar_ts: string; last_bar_ts: string } {
    return { first_bar_ts: isoTime(first), last_bar_ts: isoTime(last) };
  }
}
