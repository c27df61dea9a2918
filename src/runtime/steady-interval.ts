/** The timer functions steadyInterval needs; injectable so a test can be late on purpose. */
export interface IntervalClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: IntervalClock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Calls `tick` every `periodMs` on a schedule fixed at its start: the k-th call is due at start +
 * k x period. setInterval re-arms from when each call ran, so every call's lateness added up: a
 * 30 s heartbeat came 27 ms later each beat, 78 s a day behind. A call that comes late (a busy
 * thread, a stopped process) is not made up for with a burst: the next one is the next slot ahead.
 */
export function steadyInterval(tick: () => void, periodMs: number, clock: IntervalClock = REAL_CLOCK): { stop(): void } {
  const start = clock.now();
  let slot = 0;
  let stopped = false;
  let handle: unknown;
  const arm = (): void => {
    const now = clock.now();
    slot = Math.max(slot + 1, Math.floor((now - start) / periodMs) + 1);
    handle = clock.setTimeout(run, start + slot * periodMs - now);
  };
  const run = (): void => {
    if (stopped) return;
    tick();
    if (!stopped) arm();
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      clock.clearTimeout(handle);
    },
  };
}
