import type { SeededRandom } from '../domain/seeded-random.js';

/** Backoff never grows past this, whatever the attempt: a stuck order must not sleep for hours. */
export const MAX_BACKOFF_MS = 30_000;

/**
 * Wait before retry number `retry` (1 for the first retry): exponential backoff with full jitter,
 * `random(0 .. min(capMs, baseMs x 2^(retry-1)))`, rounded down to whole ms.
 *
 * Full jitter (rather than a fixed exponential wait) spreads the retries of many bots, or many
 * intents of one bot, hit by the same rate limit or outage, so they do not come back in lockstep.
 * The exchange's own `retryAfterMs`, when given, is a floor. `random` is seeded in tests, so a run
 * is replayable.
 */
export function backoffMs(
  retry: number,
  baseMs: number,
  random: SeededRandom,
  options: { readonly capMs?: number; readonly floorMs?: number | null } = {},
): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer from 1, got ${retry}`);
  if (!Number.isFinite(baseMs) || baseMs < 0) throw new RangeError(`retry_backoff_ms must be >= 0, got ${baseMs}`);
  const cap = options.capMs ?? MAX_BACKOFF_MS;
  const ceiling = Math.min(cap, baseMs * 2 ** (retry - 1));
  const jittered = Math.floor(random.next() * (ceiling + 1));
  return Math.max(jittered, Math.min(cap, options.floorMs ?? 0));
}
