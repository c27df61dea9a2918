import { err, ok, type Result } from '../domain/result.js';
import type { SeededRandom } from '../domain/seeded-random.js';

/**
 * Backoff never grows past this, whatever the attempt: a stuck order must not sleep for hours.
 * It is also the longest the router holds an intent before one resend, whoever asks for the wait:
 * the decision's reference price goes stale and the decision loop waits with it.
 */
export const MAX_BACKOFF_MS = 30_000;

/**
 * Wait before retry number `retry` (1 for the first retry): exponential backoff with full jitter,
 * `random(0 .. min(capMs, baseMs x 2^(retry-1)))`, rounded down to whole ms.
 *
 * Full jitter (rather than a fixed exponential wait) spreads the retries of many bots, or many
 * intents of one bot, hit by the same rate limit or outage, so they do not come back in lockstep.
 * `random` is seeded in tests, so a run is replayable. The exchange's Retry-After is `retryWaitMs`'s.
 */
export function backoffMs(retry: number, baseMs: number, random: SeededRandom, options: { readonly capMs?: number } = {}): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer from 1, got ${retry}`);
  if (!Number.isFinite(baseMs) || baseMs < 0) throw new RangeError(`retry_backoff_ms must be >= 0, got ${baseMs}`);
  const cap = options.capMs ?? MAX_BACKOFF_MS;
  const ceiling = Math.min(cap, baseMs * 2 ** (retry - 1));
  return Math.floor(random.next() * (ceiling + 1));
}

/** The exchange asked for a longer wait than the caller may spend before its next request. */
export interface RetryAfterTooLong {
  readonly retryAfterMs: number;
  readonly maxWaitMs: number;
}

/**
 * Wait before retry number `retry`: the jittered backoff, but never less than the exchange's
 * Retry-After. A request sent before Retry-After is over counts against the rate limit again and
 * can turn a short limit into a ban, so the floor is never shortened; when it is longer than
 * `maxWaitMs` the caller gets an error instead of a wait it could not honour.
 */
export function retryWaitMs(
  retry: number,
  baseMs: number,
  random: SeededRandom,
  retryAfterMs: number | null,
  maxWaitMs: number = MAX_BACKOFF_MS,
): Result<number, RetryAfterTooLong> {
  const jittered = backoffMs(retry, baseMs, random, { capMs: maxWaitMs });
  if (retryAfterMs === null) return ok(jittered);
  // Whole ms, rounded up: backoff_ms is an integer field, and rounding down would resend early.
  const floor = Math.ceil(Math.max(0, retryAfterMs));
  if (floor > maxWaitMs) return err({ retryAfterMs: floor, maxWaitMs });
  return ok(Math.max(jittered, floor));
}
