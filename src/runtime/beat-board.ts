/**
 * The shared memory the main thread's loops beat into and the watchdog thread reads. Times are
 * stored as `Date.now()` modulo 2^32 in Uint32 cells: Atomics works only on integer arrays, a
 * BigInt64 cell would allocate a BigInt per beat, and an age computed with wrap-around arithmetic
 * stays exact for 49 days, far beyond any stall threshold. Wall-clock time (not performance.now)
 * because each thread has its own performance.timeOrigin.
 */

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

/** Milliseconds between a stored time and now, exact across the 2^32 wrap. */
function ageOf(stored: number, now: number): number {
  return ((now >>> 0) - stored) >>> 0;
}

export class BeatBoard {
  readonly cells: Uint32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(TOTAL_CELLS * 4)) {
    if (buffer.byteLength !== TOTAL_CELLS * 4) {
      throw new RangeError(`beat board buffer must be ${TOTAL_CELLS * 4} bytes, got ${buffer.byteLength}`);
    }
    this.cells = new Uint32Array(buffer);
  }

  /** Stamps creation time; called once by the thread that allocates the board. */
  init(now = Date.now()): this {
    Atomics.store(this.cells, CREATED_TS, now);
    Atomics.store(this.cells, EVENT_LOOP_TS, now);
    return this;
  }

  activateLoop(index: number, now = Date.now()): void {
    const base = LOOPS_BASE + index * LOOP_CELLS;
    Atomics.store(this.cells, base + 1, now);
    Atomics.store(this.cells, base + 2, 0);
    Atomics.store(this.cells, base, 1);
  }

  endLoop(index: number): void {
    Atomics.store(this.cells, LOOPS_BASE + index * LOOP_CELLS, 2);
  }

  /** The hot path: four atomic stores/adds, no allocation. */
  beat(index: number): void {
    const now = Date.now();
    const base = LOOPS_BASE + index * LOOP_CELLS;
    Atomics.store(this.cells, base + 1, now);
    Atomics.add(this.cells, base + 2, 1);
    const slot = RING_BASE + (Atomics.add(this.cells, BEATS_TOTAL, 1) & (RING_SIZE - 1)) * 2;
    // A reader racing this write may pair one beat's loop with another's time: acceptable for a
    // "recent beats" listing, and far cheaper than a lock on every beat.
    Atomics.store(this.cells, slot + 1, now);
    Atomics.store(this.cells, slot, index + 1);
  }

  readLoop(index: number, now = Date.now()): LoopReading {
    const base = LOOPS_BASE + index * LOOP_CELLS;
    return {
      state: STATE_CODES[Atomics.load(this.cells, base)] ?? 'free',
      ageMs: ageOf(Atomics.load(this.cells, base + 1), now),
      beats: Atomics.load(this.cells, base + 2),
    };
  }

  /** The last `count` beats, oldest first. */
  recentBeats(count: number, now = Date.now()): BeatReading[] {
    const total = Atomics.load(this.cells, BEATS_TOTAL);
    const available = Math.min(count, RING_SIZE, total);
    const out: BeatReading[] = [];
    for (let k = available; k >= 1; k--) {
      const slot = RING_BASE + (((total - k) >>> 0) & (RING_SIZE - 1)) * 2;
      const who = Atomics.load(this.cells, slot);
      if (who === 0) continue;
      out.push({ index: who - 1, ageMs: ageOf(Atomics.load(this.cells, slot + 1), now) });
    }
    return out;
  }

  /** Milliseconds since any loop beat; since the board was created when none has. */
  lastBeatAgeMs(now = Date.now()): number {
    const total = Atomics.load(this.cells, BEATS_TOTAL);
    if (total === 0) return ageOf(Atomics.load(this.cells, CREATED_TS), now);
    const slot = RING_BASE + (((total - 1) >>> 0) & (RING_SIZE - 1)) * 2;
    return ageOf(Atomics.load(this.cells, slot + 1), now);
  }

  beatsTotal(): number {
    return Atomics.load(this.cells, BEATS_TOTAL);
  }

  /** Called from a main-thread timer: proves the event loop still turns. */
  touchEventLoop(now = Date.now()): void {
    Atomics.store(this.cells, EVENT_LOOP_TS, now);
  }

  eventLoopAgeMs(now = Date.now()): number {
    return ageOf(Atomics.load(this.cells, EVENT_LOOP_TS), now);
  }

  /** Marks shutdown as begun and counts the request; returns true for the first one. */
  requestShutdown(): boolean {
    Atomics.add(this.cells, SHUTDOWN_REQUESTS, 1);
    return Atomics.compareExchange(this.cells, SHUTDOWN_FLAG, 0, 1) === 0;
  }

  shutdownRequested(): boolean {
    return Atomics.load(this.cells, SHUTDOWN_FLAG) === 1;
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
