import { describe, expect, it } from 'vitest';
import { seededRandom } from '../domain/seeded-random.js';
import { clientOrderIdFor, CLIENT_ORDER_ID } from './client-order-id.js';
import { MAX_BACKOFF_MS, backoffMs, retryWaitMs } from './retry-backoff.js';

describe('backoffMs (exponential, full jitter)', () => {
  it('stays within [0, base x 2^(retry-1)] and spreads over that range', () => {
    const random = seededRandom(3);
    for (let retry = 1; retry <= 6; retry++) {
      const ceiling = 400 * 2 ** (retry - 1);
      const waits = Array.from({ length: 300 }, () => backoffMs(retry, 400, random));
      for (const w of waits) expect(Number.isInteger(w) && w >= 0 && w <= ceiling).toBe(true);
      expect(Math.max(...waits)).toBeGreaterThan(ceiling * 0.9);
      expect(Math.min(...waits)).toBeLessThan(ceiling * 0.1);
    }
  });

  it('replays under a seed, caps long waits and honours the exchange floor', () => {
    const a = Array.from({ length: 10 }, (_, i) => backoffMs(i + 1, 100, seededRandom(5)));
    const b = Array.from({ length: 10 }, (_, i) => backoffMs(i + 1, 100, seededRandom(5)));
    expect(a).toEqual(b);
    const random = seededRandom(9);
    for (let i = 0; i < 100; i++) expect(backoffMs(30, 1000, random)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
    expect(() => backoffMs(0, 10, random)).toThrow(/retry must be an integer from 1/);
    expect(() => backoffMs(1, -1, random)).toThrow(/retry_backoff_ms must be >= 0/);
  });
});

describe('retryWaitMs (backoff, never less than Retry-After)', () => {
  it('honours the exchange floor, rounded up to whole ms', () => {
    const random = seededRandom(9);
    for (let i = 0; i < 100; i++) expect(retryWaitMs(1, 10, random, 750)).toEqual({ ok: true, value: 750 });
    const rounded = retryWaitMs(1, 0, random, 2.5);
    expect(rounded).toEqual({ ok: true, value: 3 });
  });

  it('honours a Retry-After up to the longest wait in full, instead of capping it at 30 s', () => {
    expect(retryWaitMs(1, 4, seededRandom(1), MAX_BACKOFF_MS)).toEqual({ ok: true, value: MAX_BACKOFF_MS });
    expect(retryWaitMs(1, 4, seededRandom(1), 120_000, 180_000)).toEqual({ ok: true, value: 120_000 });
  });

  it('refuses a Retry-After longer than the caller may wait, naming both', () => {
    expect(retryWaitMs(1, 4, seededRandom(1), 120_000)).toEqual({ ok: false, error: { retryAfterMs: 120_000, maxWaitMs: MAX_BACKOFF_MS } });
  });

  it('is the plain jittered backoff without a Retry-After', () => {
    const waits = Array.from({ length: 5 }, (_, i) => retryWaitMs(i + 1, 100, seededRandom(5), null));
    expect(waits).toEqual(Array.from({ length: 5 }, (_, i) => ({ ok: true, value: backoffMs(i + 1, 100, seededRandom(5)) })));
  });
});

describe('clientOrderIdFor', () => {
  it('is <intent>-<attempt> for our intent ids, within exchange limits', () => {
    expect(clientOrderIdFor('int_0123456789abcdef', 1)).toBe('int_0123456789abcdef-1');
    expect(clientOrderIdFor('int_0123456789abcdef', 12)).toBe('int_0123456789abcdef-12');
    expect(CLIENT_ORDER_ID.test(clientOrderIdFor('int_0123456789abcdef', 999))).toBe(true);
  });

  it('hashes an intent id that is too long or has other characters, stably per intent', () => {
    const uuid = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
    const first = clientOrderIdFor(uuid, 1);
    const second = clientOrderIdFor(uuid, 2);
    expect(first).toMatch(CLIENT_ORDER_ID);
    expect(second).toMatch(CLIENT_ORDER_ID);
    expect(first.slice(0, -2)).toBe(second.slice(0, -2));
    expect(clientOrderIdFor('int_x'.repeat(20), 10_000).length).toBeLessThanOrEqual(36);
    expect(clientOrderIdFor('a b', 1)).not.toBe(clientOrderIdFor('a_b', 1));
    expect(() => clientOrderIdFor('int_0123456789abcdef', 0)).toThrow(RangeError);
  });
});
