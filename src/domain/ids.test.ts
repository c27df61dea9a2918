import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactUtc, DECISION_ID, INTENT_ID, newDecisionId, newIntentId, SESSION_ID, sessionIdFor } from './ids.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

describe('ids', () => {
  it('property: decision and intent ids from many concurrent async tasks are unique and well-formed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 20 })), { minLength: 10, maxLength: 200 }),
        async (tasks) => {
          const now = new Date();
          const made = await Promise.all(
            tasks.map(async ([delay, count]) => {
              const ids: string[] = [];
              for (let i = 0; i < count; i++) {
                // Interleave the tasks through timers, immediates and microtasks.
                if (delay === 0) await Promise.resolve();
                else if (delay === 1) await new Promise((done) => setImmediate(done));
                else await new Promise((done) => setTimeout(done, delay - 2));
                ids.push(newDecisionId(now), newIntentId());
              }
              return ids;
            }),
          );
          const all = made.flat();
          expect(new Set(all).size).toBe(all.length);
          for (const id of all) expect(id.startsWith('dec_') ? DECISION_ID.test(id) : INTENT_ID.test(id)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('the random part of an intent id is fresh for every id, across refills of the random pool', () => {
    // The counter alone keeps ids unique; this checks the random bytes are never handed out twice.
    const randomParts = Array.from({ length: 2000 }, () => newIntentId().slice(4, 16));
    expect(new Set(randomParts).size).toBe(randomParts.length);
  });

  it('a decision id encodes its UTC second', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const id = newDecisionId(date);
        const expected = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}_${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
        expect(id.slice(4, 19)).toBe(expected);
        expect(compactUtc(date)).toBe(expected);
        expect(DECISION_ID.test(id)).toBe(true);
      }),
    );
  });

  it('stays unique for 200k decisions within one second', () => {
    const now = new Date('2025-10-26T12:34:56.000Z');
    const ids = new Set(Array.from({ length: 200_000 }, () => newDecisionId(now)));
    expect(ids.size).toBe(200_000);
  });

  it('session ids: the first in a second is bare, later ones get _n', () => {
    const now = new Date('2025-10-26T10:26:36.500Z');
    expect(sessionIdFor(now)).toBe('session_20251026_102636');
    expect(sessionIdFor(now, 2)).toBe('session_20251026_102636_2');
    expect(SESSION_ID.test(sessionIdFor(now, 3))).toBe(true);
  });
});
