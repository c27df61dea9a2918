import { describe, expect, it } from 'vitest';
import { FeedClock, type FeedHoldUp } from './feed-clock.js';

const T0 = Date.parse('2022-01-01T12:00:00.000Z');
const MINUTE = 60_000;

/**
 * A monotonic clock that runs with real time (the clock's sleeps are real timers) and that `hold`
 * moves forward at once, as it moves for a process that was not running: SIGSTOP then SIGCONT,
 * Ctrl-Z then fg, a paused VM. performance.now keeps counting through all of those.
 */
function holdableClock(): { now: () => number; hold: (ms: number) => void } {
  let offset = 0;
  return { now: () => performance.now() + offset, hold: (ms) => (offset += ms) };
}

/** Real milliseconds `promise` took to settle, and what it settled with. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await promise;
  return { ms: performance.now() - start, value };
}

function pacedClock(speed: number | 'max'): { clock: FeedClock; hold: (ms: number) => void; holdUps: FeedHoldUp[] } {
  const mono = holdableClock();
  const holdUps: FeedHoldUp[] = [];
  const clock = new FeedClock({ speed, intervalMs: MINUTE, monotonicNow: mono.now, onHeldUp: (h) => holdUps.push(h) });
  return { clock, hold: mono.hold, holdUps };
}

const idle = (): void => {};

describe('FeedClock after the process was held up (SIGSTOP/SIGCONT, Ctrl-Z/fg, a paused VM)', () => {
  it('stopped during the wait for a bar: delivers that bar, then paces the next one instead of bursting through the 450 bars it missed', async () => {
    const { clock, hold, holdUps } = pacedClock(600);
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, idle)).toBe(true);
    // At 600x the next one-minute bar is 100 ms away; the process is stopped for 45 s during that wait.
    const waiting = clock.waitFor(T0 + MINUTE, signal, idle);
    hold(45_000);
    expect(await waiting).toBe(true);
    expect(clock.now()).toBe(T0 + MINUTE);
    // Anchored to the time before the stop, the schedule was 45 s x 600 (450 bars) ahead: every one of them was due at once.
    expect(clock.ready(T0 + 2 * MINUTE)).toBe(false);
    expect(clock.ready(T0 + 10 * MINUTE)).toBe(false);
    const next = await timed(clock.waitFor(T0 + 2 * MINUTE, signal, idle));
    expect(next.value).toBe(true);
    // Its paced 100 ms (less what the check above took); the upper bound is only for a loaded machine.
    expect(next.ms).toBeGreaterThan(50);
    expect(next.ms).toBeLessThan(5000);
    expect(holdUps).toHaveLength(1);
    // The stop, give or take how early (a fraction of a ms) or late the wait's timer fired.
    expect(holdUps[0]?.heldMs).toBeGreaterThan(44_990);
    expect(holdUps[0]?.heldMs).toBeLessThan(45_100);
    expect(holdUps[0]?.barsBehind).toBeGreaterThanOrEqual(450);
    expect(holdUps[0]?.barsBehind).toBeLessThanOrEqual(451);
  });

  it('stopped while a bar was handled: the next bar still waits its paced time', async () => {
    const { clock, hold, holdUps } = pacedClock(600);
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, idle)).toBe(true);
    hold(99_000);
    expect(clock.ready(T0 + MINUTE)).toBe(false);
    const next = await timed(clock.waitFor(T0 + MINUTE, signal, idle));
    expect(next.value).toBe(true);
    expect(next.ms).toBeGreaterThan(50);
    expect(next.ms).toBeLessThan(5000);
    expect(clock.ready(T0 + 2 * MINUTE)).toBe(false);
    expect(holdUps.map((h) => h.barsBehind)).toEqual([990]);
  });

  it('tells the time a DATA_GAP wait will take from where the schedule was before the hold-up', async () => {
    const { clock, hold } = pacedClock(600);
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, idle)).toBe(true);
    hold(45_000);
    // The bar after a 10-minute hole: 11 bars of 100 ms ahead, not long overdue.
    expect(clock.wallMsUntil(T0 + 11 * MINUTE)).toBeGreaterThan(1000);
    expect(clock.ready(T0 + 11 * MINUTE)).toBe(false);
  });

  it('catches up a hold-up shorter than its tolerance on the same schedule, as a late timer is', async () => {
    // 300 ms at 600x: three bars behind, under the one-second floor.
    const { clock, hold, holdUps } = pacedClock(600);
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, idle)).toBe(true);
    hold(300);
    expect(clock.ready(T0 + MINUTE)).toBe(true);
    expect(clock.ready(T0 + 2 * MINUTE)).toBe(true);
    expect(clock.ready(T0 + 3 * MINUTE)).toBe(true);
    expect(clock.ready(T0 + 5 * MINUTE)).toBe(false);
    expect(holdUps).toEqual([]);
  });

  it('tolerates two bar periods at a slow speed: at 1x a 100 s stop delivers the overdue bar on the old schedule', async () => {
    const { clock, hold, holdUps } = pacedClock(1);
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, idle)).toBe(true);
    hold(100_000);
    expect(clock.ready(T0 + MINUTE)).toBe(true);
    expect(clock.ready(T0 + 2 * MINUTE)).toBe(false);
    expect(holdUps).toEqual([]);
  });

  it("changes nothing at --speed max: nothing is paced, so there is no schedule to fall behind", async () => {
    const { clock, hold, holdUps } = pacedClock('max');
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, idle)).toBe(true);
    hold(45_000);
    expect(clock.ready(T0 + MINUTE)).toBe(true);
    expect(clock.ready(T0 + 2 * MINUTE)).toBe(true);
    expect(holdUps).toEqual([]);
  });

  it('changes nothing for the warm-up: bars jumped to at full speed, then pacing anchors at the first paced bar', async () => {
    const { clock, hold, holdUps } = pacedClock(600);
    const signal = new AbortController().signal;
    clock.jumpTo(T0 - 2 * MINUTE);
    hold(45_000);
    clock.jumpTo(T0 - MINUTE);
    const first = await timed(clock.waitFor(T0, signal, idle));
    expect(first.value).toBe(true);
    expect(first.ms).toBeLessThan(1000);
    expect(clock.ready(T0 + MINUTE)).toBe(false);
    expect(holdUps).toEqual([]);
  });
});
