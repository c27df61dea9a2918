import { describe, expect, it } from 'vitest';
import { BeatBoard, RING_SIZE } from './beat-board.js';
import { buildHeartbeat, eventLoopBlockedMs, type LoopInfo } from './heartbeat-snapshot.js';

const T0 = Date.parse('2025-10-26T12:00:00.000Z');
const loop = (index: number, name: string, periodMs = 1000): LoopInfo => ({ index, name, daemon: index % 2 === 1, periodMs, stallAfterMs: periodMs * 3 });

/** Beats at a chosen wall-clock time (BeatBoard.beat reads Date.now itself). */
function beatAt(board: BeatBoard, index: number, at: number): void {
  const realNow = Date.now;
  Date.now = () => at;
  try {
    board.beat(index);
  } finally {
    Date.now = realNow;
  }
}

describe('BeatBoard', () => {
  it('computes ages exactly across the 2^32 ms wrap of its Uint32 cells', () => {
    const wrap = 2 ** 32 * 400; // a real epoch ms value that is a multiple of 2^32
    const board = new BeatBoard().init(wrap - 50);
    board.activateLoop(0, wrap - 50);
    beatAt(board, 0, wrap - 10);
    expect(board.readLoop(0, wrap + 25)).toEqual({ state: 'active', ageMs: 35, beats: 1 });
    expect(board.lastBeatAgeMs(wrap + 25)).toBe(35);
  });

  it('keeps the last RING_SIZE beats in order, oldest first', () => {
    const board = new BeatBoard().init(T0);
    board.activateLoop(0, T0);
    board.activateLoop(1, T0);
    for (let i = 0; i < RING_SIZE + 5; i++) beatAt(board, i % 2, T0 + i);
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
});

describe('buildHeartbeat', () => {
  it('marks a loop stalled once its last beat is older than its threshold, and lists recent beats by name', () => {
    const board = new BeatBoard().init(T0);
    const loops = [loop(0, 'DecisionLoop'), loop(1, 'DustSweeper'), loop(2, 'LiveDashboard')];
    for (const l of loops) board.activateLoop(l.index, T0);
    beatAt(board, 0, T0 + 9_000);
    beatAt(board, 1, T0 + 5_000);
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
    const board = new BeatBoard().init(T0);
    board.activateLoop(0, T0);
    board.endLoop(0);
    expect(buildHeartbeat(board, { components: [], loops: [loop(0, 'Backfill')] }, { recentBeats: 5, eventLoopProbeMs: 250 }, T0 + 60_000).registered_threads).toEqual([]);
  });

  it('reports the event loop blocked only once its probe is two periods late', () => {
    const board = new BeatBoard().init(T0);
    board.touchEventLoop(T0);
    expect(eventLoopBlockedMs(board, 100, T0 + 200)).toBe(0);
    expect(eventLoopBlockedMs(board, 100, T0 + 201)).toBe(201);
  });
});
