import { afterEach, describe, expect, it, vi } from 'vitest';
import { FeedClock } from './feed-clock.js';

const T0 = Date.parse('2025-10-26T12:00:00.000Z');
const MINUTE = 60_000;

/**
 * A wall clock (Date.now) that `step` moves, as an NTP correction or a resumed VM does. Installed
 * before the clock under test is built, so that a clock keeping a reference to Date.now sees it too.
 */
function steppableWallClock(): { step: (ms: number) => void } {
  const real = Date.now;
  let offset = 0;
  vi.spyOn(Date, 'now').mockImplementation(() => real() + offset);
  return { step: (ms) => (offset += ms) };
}

/** Whether `promise` settles within `ms` of real time, and with what. */
async function within<T>(ms: number, promise: Promise<T>): Promise<{ settled: true; value: T } | { settled: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ settled: false }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ settled: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('FeedClock', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('paces on the injected monotonic clock: a bar is due once its interval has passed at the replay speed', async () => {
    let t = 5_000;
    const clock = new FeedClock({ speed: 60, monotonicNow: () => t });
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, () => {})).toBe(true);
    t += 999;
    expect(clock.ready(T0 + MINUTE)).toBe(false);
    t += 1;
    expect(clock.ready(T0 + MINUTE)).toBe(true);
    expect(clock.now()).toBe(T0 + MINUTE);
  });

  it('keeps delivering on schedule when the wall clock steps back an hour mid-replay', async () => {
    const wall = steppableWallClock();
    const clock = new FeedClock({ speed: 60 });
    const stop = new AbortController();
    expect(await clock.waitFor(T0, stop.signal, () => {})).toBe(true);
    wall.step(-3_600_000);
    // The next one-minute bar is one real second away at 60x; paced on Date.now it was an hour away.
    // 30 s tells the two apart and only bounds a loaded machine's late timer.
    const next = await within(30_000, clock.waitFor(T0 + MINUTE, stop.signal, () => {}));
    stop.abort();
    expect(next).toEqual({ settled: true, value: true });
    expect(clock.now()).toBe(T0 + MINUTE);
  });

  it('does not fast-forward when the wall clock steps forward ten minutes mid-replay', async () => {
    const wall = steppableWallClock();
    const clock = new FeedClock({ speed: 60 });
    const signal = new AbortController().signal;
    expect(await clock.waitFor(T0, signal, () => {})).toBe(true);
    wall.step(10 * MINUTE);
    // Paced on Date.now, the next 600 one-minute bars (ten hours of market time) were all due at once.
    expect(clock.ready(T0 + MINUTE)).toBe(false);
    expect(clock.ready(T0 + 600 * MINUTE)).toBe(false);
    expect(clock.now()).toBe(T0);
  });
});
