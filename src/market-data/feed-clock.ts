import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ReplaySpeed } from './market-feed.js';

/** Longest run of bars at full speed before timers, signals and I/O get a turn. */
const YIELD_EVERY_MS = 8;
/** A wait is cut into slices this long so the feed can look at staleness while idle. */
const MAX_SLICE_MS = 250;

export interface FeedClockOptions {
  readonly speed: ReplaySpeed;
  /**
   * Milliseconds on a clock that only moves forward, injectable for tests; default performance.now.
   * Not Date.now: the wall clock steps (an NTP correction, a VM resumed), and pacing on it stalled
   * delivery for an hour when it went back an hour, and burst ten hours of bars out at once at 60x
   * when it went forward ten minutes.
   */
  readonly monotonicNow?: () => number;
}

/**
 * Paces delivery and keeps the feed's own clock. A bar is due when its interval closes on the feed
 * clock; at speed N the feed clock runs N times as fast as real time from the first paced bar
 * (anchored, so rounding in timers never adds up to drift). At 'max' nothing waits, the clock jumps
 * to each bar's close, and the loop still yields every few milliseconds.
 */
export class FeedClock {
  private readonly speed: ReplaySpeed;
  private readonly monotonicNow: () => number;
  private anchorMono = Number.NaN;
  private anchorFeed = Number.NaN;
  private latest = Number.NaN;
  /** The close of the bar being waited for (NaN when not waiting). */
  private waitingFor = Number.NaN;
  private lastYield: number;
  private counter = 0;

  constructor(options: FeedClockOptions) {
    this.speed = options.speed;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.lastYield = performance.now();
  }

  /**
   * Feed time now (NaN before the first bar): the close of the latest bar delivered, and while
   * waiting for the next one, the paced time up to that bar's close. Never the pacing clock's view
   * beyond it: at speed N every millisecond the bot spends on a bar (an order, a late timer) is N ms
   * of market time, so at 20000x an order's 3 ms made the next symbol's bar of the same minute look
   * a minute old, and two runs of the same candles blocked different buys as stale. Read this way,
   * a replay decides the same on any machine, and a hole in the data still ages while it is waited
   * through.
   */
  now(): number {
    if (this.speed === 'max' || Number.isNaN(this.anchorMono) || Number.isNaN(this.waitingFor)) return this.latest;
    return Math.max(this.latest, Math.min(this.paced(), this.waitingFor));
  }

  /** Where the paced schedule is by the monotonic clock, never before the latest bar delivered: what delivery waits for. */
  private paced(): number {
    // Never called at 'max' (nothing is paced there); the check narrows the speed to a number.
    if (this.speed === 'max') return this.latest;
    return Math.max(this.latest, this.anchorFeed + (this.monotonicNow() - this.anchorMono) * this.speed);
  }

  /**
   * Wall-clock milliseconds `waitFor(feedTime)` called now would wait: 0 at 'max'. Before the first
   * paced wait the schedule is not anchored yet; it will be at the latest bar delivered, as
   * waitFor anchors it.
   */
  wallMsUntil(feedTime: number): number {
    if (this.speed === 'max') return 0;
    const from = Number.isNaN(this.anchorMono) ? (Number.isNaN(this.latest) ? feedTime : this.latest) : this.paced();
    return Math.max(0, (feedTime - from) / this.speed);
  }

  /** Moves the clock to a delivered bar's close without waiting (history, warm-up). */
  jumpTo(feedTime: number): void {
    if (!(feedTime <= this.latest)) this.latest = feedTime;
    this.anchorMono = Number.NaN;
  }

  /**
   * True when the bar closing at `feedTime` may be delivered right now, the hot path of a fast
   * replay (no promise per bar). False: the caller must `await waitFor(feedTime)` first, either
   * to let time pass or to give the event loop its turn.
   */
  ready(feedTime: number): boolean {
    if (this.speed !== 'max' && (Number.isNaN(this.anchorMono) || (feedTime - this.paced()) / this.speed >= 1)) return false;
    // Reading the time on every bar costs more than the bar; every 64th is enough.
    if ((++this.counter & 63) === 0 && performance.now() - this.lastYield >= YIELD_EVERY_MS) return false;
    if (!(feedTime <= this.latest)) this.latest = feedTime;
    return true;
  }

  /**
   * Waits until `feedTime` is reached on the feed clock (or, when no wait is needed, for one turn
   * of the event loop), in slices, calling `onIdle` after each; resolves false early when `signal`
   * aborts.
   */
  async waitFor(feedTime: number, signal: AbortSignal, onIdle: () => void): Promise<boolean> {
    let slept = false;
    this.waitingFor = feedTime;
    try {
      const speed = this.speed;
      if (speed !== 'max') {
        if (Number.isNaN(this.anchorMono)) {
          this.anchorMono = this.monotonicNow();
          this.anchorFeed = Number.isNaN(this.latest) ? feedTime : this.latest;
        }
        const due = (): number => (feedTime - this.paced()) / speed;
        for (let wait = due(); wait >= 1; wait = due()) {
          if (!(await sleep(Math.min(wait, MAX_SLICE_MS), signal))) return false;
          slept = true;
          onIdle();
        }
      }
      if (!slept) {
        await yieldToLoop();
        onIdle();
      }
    } finally {
      this.waitingFor = Number.NaN;
    }
    this.lastYield = performance.now();
    if (!(feedTime <= this.latest)) this.latest = feedTime;
    return !signal.aborted;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve(!signal.aborted);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
