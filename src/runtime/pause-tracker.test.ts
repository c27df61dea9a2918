import { describe, expect, it } from 'vitest';
import { BeatBoard, type BoardClock } from './beat-board.js';
import { buildHeartbeat, type HeartbeatRegistry } from './heartbeat-snapshot.js';
import { PauseTracker, type PauseClock } from './pause-tracker.js';

const PROBE_MS = 250;
const registry: HeartbeatRegistry = {
  components: ['engine'],
  loops: [
    { index: 0, name: 'DustSweeper', daemon: true, periodMs: 1000, stallAfterMs: 3000 },
    { index: 1, name: 'LiveDashboard', daemon: true, periodMs: 1000, stallAfterMs: 3000 },
  ],
};
const settings = { recentBeats: 4, eventLoopProbeMs: PROBE_MS };

/**
 * One process on one clock: the main thread (its loops beat and its probe timer touches the board
 * every period while it runs) and the watchdog thread (its probe and heartbeat timers). `cpuMs` is
 * the process's CPU time: it advances while a thread spins and stands still while the process is stopped.
 */
function process0(): {
  clock: { at: number; cpuMs: number };
  run: (untilMs: number, main: 'turns' | 'blocked') => void;
  heartbeat: () => ReturnType<typeof buildHeartbeat>;
} {
  const clock = { at: 0, cpuMs: 0 };
  const boardClock: BoardClock = { monotonicMs: () => clock.at, wallMs: () => clock.at };
  const pauseClock: PauseClock = { monotonicMs: () => clock.at, processCpuMs: () => clock.cpuMs };
  const board = new BeatBoard(undefined, boardClock).init(0);
  for (const loop of registry.loops) board.activateLoop(loop.index, 0);
  const tracker = new PauseTracker(PROBE_MS, pauseClock);
  return {
    clock,
    // Both threads run, one probe period at a time, to `untilMs`: the main thread's timers touch
    // the board and beat its loops, or it spins (blocked), spending CPU all along.
    run: (untilMs, main) => {
      for (let t = clock.at + PROBE_MS; t <= untilMs; t += PROBE_MS) {
        clock.at = t;
        if (main === 'turns') {
          clock.cpuMs += 5;
          board.touchEventLoop(t);
          for (const loop of registry.loops) board.beat(loop.index);
        } else clock.cpuMs += PROBE_MS;
        tracker.check();
        tracker.ran();
      }
    },
    heartbeat: () => {
      tracker.check();
      const fields = buildHeartbeat(board, registry, settings, clock.at, tracker.read());
      tracker.markHeartbeat();
      tracker.ran();
      return fields;
    },
  };
}

describe('heartbeats after the whole process was stopped (SIGSTOP, then SIGCONT)', () => {
  it('the first heartbeat after a 99 s stop, written before the main thread ran again: no blocked event loop, every loop alive, the pause in stats', () => {
    const p = process0();
    // Both threads ran normally to 10 s (the watchdog's probe last ran at 10 s).
    p.run(10_000, 'turns');
    // kill -STOP: nothing runs, no CPU is spent. kill -CONT at 109.5 s: the watchdog's heartbeat
    // timer fires before the main thread's probe timer gets its turn.
    p.clock.at = 109_500;
    const hb = p.heartbeat();
    expect(hb.event_loop_blocked_ms).toBe(0);
    expect(hb.registered_threads.map((t) => [t.name, t.alive])).toEqual([['DustSweeper', true], ['LiveDashboard', true]]);
    // Their ages stay the real ones: the loops did not beat for 99.5 s.
    expect(hb.registered_threads.map((t) => t.last_beat_age_s)).toEqual([99.5, 99.5]);
    // From one probe period after the watchdog last ran (10.25 s) to the resume.
    expect(hb.stats).toMatchObject({ paused_ms: 99_250, pauses: 1 });
  });

  it('a main thread blocked while the watchdog runs (CPU spent) is still a blocked loop, with stalled loops and no pause', () => {
    const p = process0();
    p.run(10_000, 'turns');
    // The main thread spins 20 s: the watchdog keeps running, the process keeps spending CPU.
    p.run(30_000, 'blocked');
    const hb = p.heartbeat();
    expect(hb.event_loop_blocked_ms).toBe(20_000);
    expect(hb.registered_threads.every((t) => !t.alive)).toBe(true);
    expect(hb.stats).toMatchObject({ paused_ms: 0, pauses: 0 });
  });

  it('a watchdog late while the process spent CPU (a machine too busy to run it) is no pause: the blocked loop is reported whole', () => {
    const p = process0();
    p.run(10_000, 'turns');
    p.clock.at = 20_000;
    p.clock.cpuMs += 10_000;
    const hb = p.heartbeat();
    expect(hb.event_loop_blocked_ms).toBe(10_000);
    expect(hb.stats).toMatchObject({ paused_ms: 0, pauses: 0 });
  });

  it('a loop blocked 5 s before a 60 s stop: the 5 s and the slack are reported, not the 65 s', () => {
    const p = process0();
    p.run(10_000, 'turns');
    p.run(15_000, 'blocked');
    p.clock.at = 75_000;
    const hb = p.heartbeat();
    // Blocked 10 s to 15 s, then up to one probe period before the stop is taken as running time.
    expect(hb.event_loop_blocked_ms).toBe(5250);
    expect(hb.registered_threads.every((t) => !t.alive)).toBe(true);
    expect(hb.stats).toMatchObject({ paused_ms: 59_750, pauses: 1 });
  });

  it('counts the pause in paused_ms of the heartbeat after it only, and in pauses from then on', () => {
    const p = process0();
    p.run(10_000, 'turns');
    p.clock.at = 40_000;
    expect(p.heartbeat().stats).toMatchObject({ paused_ms: 29_750, pauses: 1 });
    p.run(45_000, 'turns');
    const next = p.heartbeat();
    expect(next.stats).toMatchObject({ paused_ms: 0, pauses: 1 });
    expect(next.event_loop_blocked_ms).toBe(0);
  });
});
