import { afterEach, describe, expect, it, vi } from 'vitest';
import { BeatBoard, RING_SIZE, type BoardClock } from './beat-board.js';
import { buildHeartbeat, eventLoopBlockedMs, type LoopInfo } from './heartbeat-snapshot.js';

const T0 = Date.parse('2025-10-26T12:00:00.000Z');
const loop = (index: number, name: string, periodMs = 1000): LoopInfo => ({ index, name, daemon: index % 2 === 1, periodMs, stallAfterMs: periodMs * 3 });

/** A board clock whose wall and monotonic readings are both `at` (an unstepped wall clock). */
function fixedClock(): BoardClock & { at: number } {
  const clock = { at: 0, monotonicMs: () => clock.at, wallMs: () => clock.at };
  return clock;
}

/** A board on a fixed clock, and a beat at a chosen time (BeatBoard.beat reads its clock itself). */
function boardAt(t0: number): { board: BeatBoard; beatAt: (index: number, at: number) => void } {
  const clock = fixedClock();
  clock.at = t0;
  const board = new BeatBoard(undefined, clock).init(t0);
  return {
    board,
    beatAt: (index, at) => {
      clock.at = at;
      board.beat(index);
    },
  };
}

/** Steps the wall clock (Date.now) by `ms` from here on, as an NTP correction or a resumed VM does. */
function stepWallClock(ms: number): void {
  const real = Date.now;
  vi.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}

describe('BeatBoard', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('computes ages exactly across the 2^32 ms wrap of its Uint32 cells', () => {
    const wrap = 2 ** 32 * 400; // a real epoch ms value that is a multiple of 2^32
    const { board, beatAt } = boardAt(wrap - 50);
    board.activateLoop(0, wrap - 50);
    beatAt(0, wrap - 10);
    expect(board.readLoop(0, wrap + 25)).toEqual({ state: 'active', ageMs: 35, beats: 1 });
    expect(board.lastBeatAgeMs(wrap + 25)).toBe(35);
  });

  it('keeps the last RING_SIZE beats in order, oldest first', () => {
    const { board, beatAt } = boardAt(T0);
    board.activateLoop(0, T0);
    board.activateLoop(1, T0);
    for (let i = 0; i < RING_SIZE + 5; i++) beatAt(i % 2, T0 + i);
    const now = T0 + 1000;
    const recent = board.recentBeats(3, now);
    expect(recent).toEqual([
      { index: (RING_SIZE + 2) % 2, ageMs: 1000 - (RING_SIZE + 2) },
      { index: (RING_SIZE + 3) % 2, ageMs: 1000 - (RING_SIZE + 3) },
      { index: (RING_SIZE + 4) % 2, ageMs: 1000 - (RING_SIZE + 4) },
    ]);
    expect(board.recentBeats(1000, now)).toHaveLength(RING_SIZE);
    expect(board.beatsTotal()).toBe(RING_SIZE + 5);
  });

  it('counts shutdown requests and reports only the first as the first', () => {
    const board = new BeatBoard().init(T0);
    expect(board.requestShutdown()).toBe(true);
    expect(board.requestShutdown()).toBe(false);
    expect(board.shutdownRequested()).toBe(true);
    expect(board.shutdownRequests()).toBe(2);
  });

  it('refuses a buffer of the wrong size, naming both sizes', () => {
    expect(() => new BeatBoard(new SharedArrayBuffer(16))).toThrow(/must be \d+ bytes, got 16/);
  });

  it('reads a beat stored after the reader took its time as 0 ms old, not 2^32', () => {
    const { board, beatAt } = boardAt(T0);
    board.activateLoop(0, T0);
    beatAt(0, T0 + 5);
    expect(board.readLoop(0, T0 + 3).ageMs).toBe(0);
    expect(board.lastBeatAgeMs(T0 + 3)).toBe(0);
    expect(board.recentBeats(1, T0 + 3)).toEqual([{ index: 0, ageMs: 0 }]);
  });

  it('keeps ages true when the wall clock steps back an hour between a beat and the read', () => {
    const board = new BeatBoard().init();
    board.activateLoop(0);
    board.beat(0);
    board.touchEventLoop();
    stepWallClock(-3_600_000);
    // On Date.now this beat was an hour in the future: 2^32 ms minus an hour old, "4291368.3 s ago".
    expect(board.readLoop(0).ageMs).toBeLessThan(1000);
    expect(board.lastBeatAgeMs()).toBeLessThan(1000);
    expect(board.eventLoopAgeMs()).toBeLessThan(1000);
    const beat = buildHeartbeat(board, { components: [], loops: [loop(0, 'DecisionLoop')] }, { recentBeats: 5, eventLoopProbeMs: 250 });
    expect(beat.registered_threads).toEqual([{ name: 'DecisionLoop', alive: true, daemon: false, last_beat_age_s: expect.any(Number) as number, period_s: 1 }]);
    expect(beat.last_heartbeat_age_s).toBeLessThan(1);
    // The beat's time is shown on the wall clock as it reads now.
    expect(Date.parse(beat.recent_heartbeats[0]?.ts ?? '')).toBeGreaterThan(Date.now() - 1000);
  });

  it('keeps ages true when the wall clock steps forward ten minutes between a beat and the read', () => {
    const board = new BeatBoard().init();
    board.activateLoop(0);
    board.beat(0);
    board.touchEventLoop();
    stepWallClock(600_000);
    // On Date.now every loop read ten minutes silent: stalled, and the event loop blocked.
    const beat = buildHeartbeat(board, { components: [], loops: [loop(0, 'DecisionLoop')] }, { recentBeats: 5, eventLoopProbeMs: 250 });
    expect(beat.registered_threads[0]?.alive).toBe(true);
    expect(beat.last_heartbeat_age_s).toBeLessThan(1);
    expect(beat.event_loop_blocked_ms).toBe(0);
    expect(beat.stats.loops_stalled).toBe(0);
  });
});

describe('buildHeartbeat', () => {
  it('marks a loop stalled once its last beat is older than its threshold, and lists recent beats by name', () => {
    const { board, beatAt } = boardAt(T0);
    const loops = [loop(0, 'DecisionLoop'), loop(1, 'DustSweeper'), loop(2, 'LiveDashboard')];
    for (const l of loops) board.activateLoop(l.index, T0);
    beatAt(0, T0 + 9_000);
    beatAt(1, T0 + 5_000);
    board.touchEventLoop(T0 + 9_900);
    const beat = buildHeartbeat(board, { components: ['engine'], loops }, { recentBeats: 5, eventLoopProbeMs: 250 }, T0 + 10_000);
    expect(beat.registered_threads).toEqual([
      { name: 'DecisionLoop', alive: true, daemon: false, last_beat_age_s: 1, period_s: 1 },
      { name: 'DustSweeper', alive: false, daemon: true, last_beat_age_s: 5, period_s: 1 },
      // Never beat: its age counts from registration and it is shown as such (null).
      { name: 'LiveDashboard', alive: false, daemon: false, last_beat_age_s: null, period_s: 1 },
    ]);
    expect(beat.recent_heartbeats).toEqual([
      { name: 'DecisionLoop', ts: '2025-10-26T12:00:09.000Z' },
      { name: 'DustSweeper', ts: '2025-10-26T12:00:05.000Z' },
    ]);
    expect(beat.last_heartbeat_age_s).toBe(5);
    expect(beat.event_loop_blocked_ms).toBe(0);
    expect(beat.stats).toMatchObject({ beats_received: 2, loops_registered: 3, loops_stalled: 2, components_registered: 1, shutdown_requests: 0 });
    expect(beat.shutdown_requested).toBe(false);
  });

  it('leaves out loops that ended on purpose', () => {
    const { board } = boardAt(T0);
    board.activateLoop(0, T0);
    board.endLoop(0);
    expect(buildHeartbeat(board, { components: [], loops: [loop(0, 'Backfill')] }, { recentBeats: 5, eventLoopProbeMs: 250 }, T0 + 60_000).registered_threads).toEqual([]);
  });

  it('reports the event loop blocked only once its probe is two periods late', () => {
    const { board } = boardAt(T0);
    board.touchEventLoop(T0);
    expect(eventLoopBlockedMs(board, 100, T0 + 200)).toBe(0);
    expect(eventLoopBlockedMs(board, 100, T0 + 201)).toBe(201);
  });
});
