/**
 * The shared memory the main thread's loops beat into and the watchdog thread reads. Times are
 * stored as milliseconds on the board clock (below) modulo 2^32 in Uint32 cells: Atomics works only
 * on integer arrays, a BigInt64 cell would allocate a BigInt per beat, and an age computed with
 * wrap-around arithmetic stays exact for 24 days (the sign bit is kept for reads racing a beat, see
 * ageOf), far beyond any stall threshold.
 */

/**
 * The board clock: CLOCK_MONOTONIC in milliseconds, the clock process.hrtime reads, which is one
 * clock for every thread of the process. Not Date.now: the wall clock steps (NTP, a resumed VM),
 * and a step back of an hour made every stored beat look 2^32 ms old ("last beat 4291368.3 s ago"),
 * a step forward made every loop look stalled. Not performance.now alone: each thread counts it
 * from its own performance.timeOrigin. timeOrigin + performance.now agrees across threads on Node
 * 20 (even with the wall clock stepped between the two threads' starts), but how a worker's origin
 * is set is not documented; hrtime's clock is one clock by definition. Each thread finds its offset
 * from performance.now to hrtime once, here, so a beat reads performance.now only (hrtime.bigint
 * allocates a BigInt).
 */
const MONOTONIC_BASE_MS = Number(process.hrtime.bigint()) / 1e6 - performance.now();

/** The two clocks a board reads; injectable for tests. */
export interface BoardClock {
  /** Milliseconds on a clock that never steps, the same in every thread. */
  monotonicMs(): number;
  /** Milliseconds on the wall clock, what callers pass as `now`. */
  wallMs(): number;
}

export const SYSTEM_BOARD_CLOCK: BoardClock = {
  monotonicMs: () => MONOTONIC_BASE_MS + performance.now(),
  // Looked up on each call, not bound once, so a test that replaces Date.now steps this clock too.
  wallMs: () => Date.now(),
};

export const MAX_LOOPS = 64;
/** Beats kept for `recent_heartbeats`; a power of two so the wrapping head indexes it with a mask. */
export const RING_SIZE = 64;

const EVENT_LOOP_TS = 0;
const SHUTDOWN_FLAG = 1;
const BEATS_TOTAL = 2;
const SHUTDOWN_REQUESTS = 3;
const HEARTBEATS_LOGGED = 4;
const CREATED_TS = 5;
const HEADER_CELLS = 8;

const LOOP_CELLS = 3; // state, last beat time, beat count
const LOOPS_BASE = HEADER_CELLS;
const RING_BASE = LOOPS_BASE + MAX_LOOPS * LOOP_CELLS;
const TOTAL_CELLS = RING_BASE + RING_SIZE * 2; // loop index + 1, time

export type LoopState = 'free' | 'active' | 'ended';
const STATE_CODES: readonly LoopState[] = ['free', 'active', 'ended'];

export interface LoopReading {
  readonly state: LoopState;
  /** Milliseconds since its last beat, or since registration when it never beat. */
  readonly ageMs: number;
  readonly beats: number;
}

export interface BeatReading {
  readonly index: number;
  readonly ageMs: number;
}

/**
 * Milliseconds between a stored time and now, exact across the 2^32 wrap. Read as a signed 32-bit
 * difference and never below 0: a reader takes its `now` before a loop on another thread stores a
 * beat, so that beat can be a millisecond "in the future"; unsigned, that read as 49 days.
 */
function ageOf(stored: number, now: number): number {
  const age = ((now >>> 0) - stored) | 0;
  return age < 0 ? 0 : age;
}

/**
 * Every `now` a method takes is a wall-clock time, as Date.now() gives it (the callers stamp lines
 * with it). The board maps it onto its monotonic clock with the two clocks' offset read at the call,
 * so an age is monotonic time between the beat and the read whatever the wall clock did between.
 */
export class BeatBoard {
  readonly cells: Uint32Array;

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(TOTAL_CELLS * 4),
    private readonly clock: BoardClock = SYSTEM_BOARD_CLOCK,
  ) {
    if (buffer.byteLength !== TOTAL_CELLS * 4) {
      throw new RangeError(`beat board buffer must be ${TOTAL_CELLS * 4} bytes, got ${buffer.byteLength}`);
    }
    this.cells = new Uint32Array(buffer);
  }

  /** Stamps creation time; called once by the thread that allocates the board. */
  init(now = this.clock.wallMs()): this {
    const at = this.onBoardClock(now);
    Atomics.store(this.cells, CREATED_TS, at);
    Atomics.store(this.cells, EVENT_LOOP_TS, at);
    return this;
  }

  activateLoop(index: number, now = this.clock.wallMs()): void {
    const base = LOOPS_BASE + index * LOOP_CELLS;
    Atomics.store(this.cells, base + 1, this.onBoardClock(now));
    Atomics.store(this.cells, base + 2, 0);
    Atomics.store(this.cells, base, 1);
  }

  endLoop(index: number): void {
    Atomics.store(this.cells, LOOPS_BASE + index * LOOP_CELLS, 2);
  }

  /** The hot path: four atomic stores/adds, no allocation. */
  beat(index: number): void {
    const now = this.clock.monotonicMs();
    const base = LOOPS_BASE + index * LOOP_CELLS;
    Atomics.store(this.cells, base + 1, now);
    Atomics.add(this.cells, base + 2, 1);
    const slot = RING_BASE + (Atomics.add(this.cells, BEATS_TOTAL, 1) & (RING_SIZE - 1)) * 2;
    // A reader racing this write may pair one beat's loop with another's time: acceptable for a
    // "recent beats" listing, and far cheaper than a lock on every beat.
    Atomics.store(this.cells, slot + 1, now);
    Atomics.store(this.cells, slot, index + 1);
  }

  readLoop(index: number, now = this.clock.wallMs()): LoopReading {
    const base = LOOPS_BASE + index * LOOP_CELLS;
    return {
      state: STATE_CODES[Atomics.load(this.cells, base)] ?? 'free',
      ageMs: ageOf(Atomics.load(this.cells, base + 1), this.onBoardClock(now)),
      beats: Atomics.load(this.cells, base + 2),
    };
  }

  /** The last `count` beats, oldest first. */
  recentBeats(count: number, now = this.clock.wallMs()): BeatReading[] {
    const at = this.onBoardClock(now);
    const total = Atomics.load(this.cells, BEATS_TOTAL);
    const available = Math.min(count, RING_SIZE, total);
    const out: BeatReading[] = [];
    for (let k = available; k >= 1; k--) {
      const slot = RING_BASE + (((total - k) >>> 0) & (RING_SIZE - 1)) * 2;
      const who = Atomics.load(this.cells, slot);
      if (who === 0) continue;
      out.push({ index: who - 1, ageMs: ageOf(Atomics.load(this.cells, slot + 1), at) });
    }
    return out;
  }

  /** Milliseconds since any loop beat; since the board was created when none has. */
  lastBeatAgeMs(now = this.clock.wallMs()): number {
    const at = this.onBoardClock(now);
    const total = Atomics.load(this.cells, BEATS_TOTAL);
    if (total === 0) return ageOf(Atomics.load(this.cells, CREATED_TS), at);
    const slot = RING_BASE + (((total - 1) >>> 0) & (RING_SIZE - 1)) * 2;
    return ageOf(Atomics.load(this.cells, slot + 1), at);
  }

  beatsTotal(): number {
    return Atomics.load(this.cells, BEATS_TOTAL);
  }

  /** Called from a main-thread timer: proves the event loop still turns. */
  touchEventLoop(now = this.clock.wallMs()): void {
    Atomics.store(this.cells, EVENT_LOOP_TS, this.onBoardClock(now));
  }

  eventLoopAgeMs(now = this.clock.wallMs()): number {
    return ageOf(Atomics.load(this.cells, EVENT_LOOP_TS), this.onBoardClock(now));
  }

  /** A wall-clock time on the board clock, by the offset between the two clocks now. */
  private onBoardClock(wall: number): number {
    return this.clock.monotonicMs() + (wall - this.clock.wallMs());
  }

  /** Marks shutdown as begun and counts the request; returns true for the first one. */
  requestShutdown(): boolean {
    Atomics.add(this.cells, SHUTDOWN_REQUESTS, 1);
    return Atomics.compareExchange(this.cells, SHUTDOWN_FLAG, 0, 1) === 0;
  }

  shutdownRequested(): boolean {
    return Atomics.load(this.cells, SHUTDOWN_FLAG) >= 1;
  }

  /**
   * Marks the record final, just before SHUTDOWN_COMPLETE is written: the watchdog thread writes no
   * heartbeat after it, even one due before the thread's stop message reaches it (a thread still
   * starting when the shutdown began gets that message only once it is up).
   */
  completeShutdown(): void {
    Atomics.store(this.cells, SHUTDOWN_FLAG, 2);
  }

  shutdownComplete(): boolean {
    return Atomics.load(this.cells, SHUTDOWN_FLAG) === 2;
  }

  shutdownRequests(): number {
    return Atomics.load(this.cells, SHUTDOWN_REQUESTS);
  }

  countHeartbeatLogged(): void {
    Atomics.add(this.cells, HEARTBEATS_LOGGED, 1);
  }

  heartbeatsLogged(): number {
    return Atomics.load(this.cells, HEARTBEATS_LOGGED);
  }
}
