/** The longest delay setTimeout takes (2^31 - 1 ms, 24.8 days); a longer one fires at once, with a TimeoutOverflowWarning. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface LongTimeout {
  clear(): void;
}

/**
 * setTimeout for any delay: a longer one than setTimeout takes is waited for in steps. `--duration
 * 30d` ended the session the moment it started. Steps are measured on the monotonic clock, as
 * setTimeout's own: a wall clock set back would lengthen the session by as much.
 */
export function setLongTimeout(run: () => void, delayMs: number, now: () => number = () => performance.now()): LongTimeout {
  const due = now() + Math.max(0, delayMs);
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const left = due - now();
    timer = left > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(run, Math.max(0, left));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
