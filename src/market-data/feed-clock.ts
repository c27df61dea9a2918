import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ReplaySpeed } from './market-feed.js';

/** Longest run of bars at full speed before timers, signals and I/O get a turn. */
const YIELD_EVERY_MS = 8;
/** A wait is cut into slices this long so the feed can look at staleness while idle. */
const MAX_SLICE_MS = 250;
/**
 * The shortest hold-up the schedule is moved for, in wall ms: under it the feed catches up on the
 * same schedule, as it does for a late timer, a GC pause or a slow bar on a loaded machine (at most a
 * second of bars, what a fast replay delivers in a second anyway). Also two bar periods at the
 * replay speed when that is longer: at 1x a 100 s stop delivers the one bar it made late, late.
 */
const HOLD_UP_FLOOR_MS = 1000;
const HOLD_UP_BARS = 2;
/**
 * After a hold-up, the wall ms the feed waits before its next bar, whatever the schedule says: what
 * happened meanwhile (a SIGTERM sent to the stopped process, a --duration that ran out) is handled
 * first. Next to a hold-up of a second or more it costs nothing.
 */
const HOLD_UP_SETTLE_MS = 250;

/** A hold-up the paced schedule was moved for (see FeedClock). */
export interface FeedHoldUp {
  /** Wall ms the feed did not get to look at its clock beyond when it expected to. */
  readonly heldMs: number;
  /** Bars of the schedule that went by meanwhile: the burst it would have delivered at once. */
  readonly barsBehind: number;
  /** The feed clock where pacing resumes (ms UTC). */
  readonly feedTime: number;
}

export interface FeedClockOptions {
  readonly speed: ReplaySpeed;
  /**
   * Milliseconds on a clock that only moves forward, injectable for tests; default performance.now.
   * Not Date.now: the wall clock steps (an NTP correction, a VM resumed), and pacing on it stalled
   * delivery for an hour when it went back an hour, and burst ten hours of bars out at once at 60x
   * when it went forward ten minutes.
   */
  readonly monotonicNow?: () => number;
  /** The bar period, for the hold-up tolerance (two of them at the replay speed); without it, only the floor. */
  readonly intervalMs?: number;
  /** Told of each hold-up the schedule was moved for, before the bar waited for is delivered. */
  readonly onHeldUp?: (holdUp: FeedHoldUp) => void;
}

/**
 * Paces delivery and keeps the feed's own clock. A bar is due when its interval closes on the feed
 * clock; at speed N the feed clock runs N times as fast as real time from the first paced bar
 * (anchored, so rounding in timers never adds up to drift). At 'max' nothing waits, the clock jumps
 * to each bar's close, and the loop still yields every few milliseconds.
 *
 * A hold-up moves the anchor. The monotonic clock runs on while the process is not running
 * (SIGSTOP, Ctrl-Z, a paused VM) or while one bar takes that long, and on the anchored schedule
 * every bar of that time was then due at once: 45 s stopped at 600x, and 450 bars were decided,
 * and traded, within a second. A replay is a simulation, so it resumes pacing where it was when it
 * was held up. The bar it was waiting for is delivered a moment later (HOLD_UP_SETTLE_MS), so a
 * SIGTERM sent while the process was stopped, or a --duration that ran out meanwhile, stops the feed
 * before that bar trades.
 */
export class FeedClock {
  private readonly speed: ReplaySpeed;
  private readonly monotonicNow: () => number;
  private readonly intervalMs: number;
  /** Wall ms of lateness the anchor is moved for (see HOLD_UP_FLOOR_MS); never at 'max'. */
  private readonly holdUpMs: number;
  private readonly onHeldUp: ((holdUp: FeedHoldUp) => void) | undefined;
  private anchorMono = Number.NaN;
  private anchorFeed = Number.NaN;
  private latest = Number.NaN;
  /** The close of the bar being waited for (NaN when not waiting). */
  private waitingFor = Number.NaN;
  /**
   * Monotonic ms by which the feed expects to look at its schedule again: at once after a delivery
   * (so the time a bar takes to handle counts as held), the end of the slice while it sleeps.
   */
  private expectedLook = Number.NaN;
  /** Held wall ms the anchor was moved for and not reported yet. */
  private heldMs = 0;
  private lastYield: number;
  private counter = 0;

  constructor(options: FeedClockOptions) {
    this.speed = options.speed;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? 0;
    this.holdUpMs = options.speed === 'max' ? Number.POSITIVE_INFINITY : Math.max(HOLD_UP_FLOOR_MS, (HOLD_UP_BARS * this.intervalMs) / options.speed);
    this.onHeldUp = options.onHeldUp;
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
    return Math.max(this.latest, Math.min(this.paced(this.monotonicNow()), this.waitingFor));
  }

  /** Where the paced schedule is at monotonic time `t`, never before the latest bar delivered: what delivery waits for. */
  private paced(t: number): number {
    // Never called at 'max' (nothing is paced there); the check narrows the speed to a number.
    if (this.speed === 'max') return this.latest;
    return Math.max(this.latest, this.anchorFeed + (t - this.anchorMono) * this.speed);
  }

  /**
   * Reads the monotonic clock for the paced schedule. A look later than expected by a hold-up or
   * more moves the anchor by all of the lateness: the schedule stands where it stood when the
   * hold-up began.
   */
  private look(): number {
    const t = this.monotonicNow();
    const late = t - this.expectedLook;
    if (late >= this.holdUpMs) {
      this.anchorMono += late;
      this.heldMs += late;
    }
    this.expectedLook = t;
    return t;
  }

  /**
   * Wall-clock milliseconds `waitFor(feedTime)` called now would wait: 0 at 'max'. Before the first
   * paced wait the schedule is not anchored yet; it will be at the latest bar delivered, as
   * waitFor anchors it.
   */
  wallMsUntil(feedTime: number): number {
    if (this.speed === 'max') return 0;
    const from = Number.isNaN(this.anchorMono) ? (Number.isNaN(this.latest) ? feedTime : this.latest) : this.paced(this.look());
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
    if (this.speed !== 'max') {
      if (Number.isNaN(this.anchorMono)) return false;
      const t = this.look();
      // After a hold-up, waitFor reports it and lets signals in before the bar.
      if (this.heldMs > 0 || (feedTime - this.paced(t)) / this.speed >= 1) return false;
    }
    // Reading the time on every bar costs more than the bar; every 64th is enough.
    if ((++this.counter & 63) === 0 && performance.now() - this.lastYield >= YIELD_EVERY_MS) return false;
    if (!(feedTime <= this.latest)) this.latest = feedTime;
    return true;
  }

  /**
   * Waits until `feedTime` is reached on the feed clock (or, when no wait is needed, for one turn
   * of the event loop), in slices, calling `onIdle` after each; resolves false early when `signal`
   * aborts. After a hold-up it reports it and waits HOLD_UP_SETTLE_MS more first.
   */
  async waitFor(feedTime: number, signal: AbortSignal, onIdle: () => void): Promise<boolean> {
    const speed = this.speed;
    this.waitingFor = feedTime;
    try {
      if (speed !== 'max' && Number.isNaN(this.anchorMono)) {
        this.anchorMono = this.monotonicNow();
        this.anchorFeed = Number.isNaN(this.latest) ? feedTime : this.latest;
        this.expectedLook = this.anchorMono;
      }
      for (let turns = 0; ; turns++) {
        const t = speed === 'max' ? Number.NaN : this.look();
        if (turns > 0) onIdle();
        if (this.heldMs > 0) {
          this.reportHoldUp();
          // Signals that came while the process was stopped are handled in this pause: a turn of the
          // event loop was not always enough, the thread that takes a pending signal can run after
          // this one. Part of the hold-up: the schedule does not move for it either.
          const before = this.monotonicNow();
          if (!(await sleep(HOLD_UP_SETTLE_MS, signal))) return false;
          const after = this.monotonicNow();
          this.anchorMono += after - before;
          this.expectedLook = after;
          continue;
        }
        if (speed !== 'max') {
          const wait = (feedTime - this.paced(t)) / speed;
          if (wait >= 1) {
            const slice = Math.min(wait, MAX_SLICE_MS);
            this.expectedLook = t + slice;
            if (!(await sleep(slice, signal))) return false;
            continue;
          }
        }
        if (turns > 0) break;
        await yieldToLoop();
      }
    } finally {
      this.waitingFor = Number.NaN;
    }
    this.lastYield = performance.now();
    if (speed !== 'max') this.expectedLook = this.monotonicNow();
    if (!(feedTime <= this.latest)) this.latest = feedTime;
    return !signal.aborted;
  }

  private reportHoldUp(): void {
    const heldMs = this.heldMs;
    this.heldMs = 0;
    if (this.onHeldUp === undefined || this.speed === 'max') return;
    const barsBehind = this.intervalMs > 0 ? Math.round((heldMs * this.speed) / this.intervalMs) : 0;
    this.onHeldUp({ heldMs, barsBehind, feedTime: this.now() });
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
