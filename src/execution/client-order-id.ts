import { createHash } from 'node:crypto';

/** Exchanges' common limit for client order ids (Binance: 36, `[.A-Z:/a-z0-9_-]`); we stay inside all of them. */
export const CLIENT_ORDER_ID = /^[A-Za-z0-9_-]{1,36}$/;
const MAX_LENGTH = 36;

/**
 * The client order id of one attempt of an intent: `<intent>-<attempt>`, e.g. `int_0123456789abcdef-2`.
 * Deterministic, so after a timeout the router can ask the exchange for exactly the order it may
 * have created. An intent id that is too long or has other characters is replaced by a hash prefix
 * of it (stable, so every attempt of one intent still shares it).
 */
export function clientOrderIdFor(intentId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer from 1, got ${attempt}`);
  }
  if (intentId.length === 0) throw new RangeError('intentId must not be empty');
  const suffix = `-${attempt}`;
  const room = MAX_LENGTH - suffix.length;
  const base =
    /^[A-Za-z0-9_]+$/.test(intentId) && intentId.length <= room
      ? intentId
      : `h_${createHash('sha256').update(intentId).digest('hex').slice(0, Math.min(room - 2, 24))}`;
  return `${base}${suffix}`;
}
