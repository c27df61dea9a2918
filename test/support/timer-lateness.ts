// Test support: how late this process runs its timers, for bounds on when a timer of the code under test fired.

/**
 * Sets a timer for `ms` now and resolves, when it runs, with how many ms after `ms` that was. A
 * timer of the code under test due at the same time runs about as late: a bound on when it fired
 * can allow for this instead of a fixed slack that a stalled or busy machine outruns.
 */
export function timerLateness(ms: number): Promise<number> {
  const setAt = performance.now();
  return new Promise((resolve) => setTimeout(() => resolve(Math.max(0, performance.now() - setAt - ms)), ms));
}
