import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { lineSchema } from './events/catalog.js';
import { parseLine } from './line-parser.js';
import { NullSink } from './line-sink.js';
import { Recorder } from './recorder.js';
import { REDACTED, registerSecretValue } from './redaction.js';
import { serializerFor, serializerSource } from './serializer.js';
import { withDecision, withIntent } from './trace-context.js';

function capture(): { recorder: Recorder; lines: string[] } {
  const lines: string[] = [];
  const recorder = new Recorder({ sessionId: 'session_20251026_102636', sink: new NullSink() });
  recorder.onLine((_type, _fields, line) => lines.push(line));
  return { recorder, lines };
}

const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 18 })).map(([units, scale]) => Decimal.ofUnits(units, scale));
const money = fc.oneof(decimal, fc.double({ noNaN: true, noDefaultInfinity: true }));

describe('generated serializers', () => {
  it('property: every ORDER_CONTEXT line (Decimals, floats, any strings) parses and passes its catalog schema', () => {
    const { recorder, lines } = capture();
    fc.assert(
      fc.property(
        fc.record({ symbol: fc.string({ unit: 'binary', maxLength: 400 }), qty: money, limit_px: money, quote_budget: money, notional: money, min_notional: money, slippage_bps: fc.double({ noNaN: true, noDefaultInfinity: true }), max_retries: fc.nat(), retry_backoff_ms: fc.nat(), attempt: fc.nat(), attempt_start_ts: fc.double({ min: 0, max: 4e9, noNaN: true }), client_order_id: fc.string({ unit: 'grapheme-ascii' }) }),
        fc.constantFrom('buy', 'sell'),
        fc.constantFrom('IOC', 'FOK', 'GTC'),
        (fields, side, tif) => {
          withDecision('dec_20251026_123456_abc123', () => withIntent('int_0123456789abcdef', () => recorder.emit('ORDER_CONTEXT', { ...fields, side, tif })));
          const line = lines.at(-1) ?? '';
          expect(line.endsWith('}\n') && line.indexOf('\n') === line.length - 1).toBe(true);
          const parsed = lineSchema('ORDER_CONTEXT').safeParse(JSON.parse(line));
          expect(parsed.error?.issues ?? []).toEqual([]);
          const value = JSON.parse(line) as Record<string, unknown>;
          // Exact decimals: the number written is the Decimal's own text.
          if (fields.qty instanceof Decimal) expect(line).toContain(`"qty":${fields.qty.toString()},`);
          if (fields.symbol.length <= 256) expect(value['symbol']).toBe(fields.symbol);
          else expect(value['symbol']).toBe(`${fields.symbol.slice(0, 256)}…[truncated ${fields.symbol.length - 256} chars]`);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: cached field fragments never go stale: each line says exactly what its own fields hold', () => {
    const json = (value: unknown): string =>
      value === null || (typeof value === 'number' && !Number.isFinite(value)) ? 'null' : value instanceof Decimal ? value.toString() : typeof value === 'number' ? String(value) : JSON.stringify(value);
    /** Serializes sequences of `fields` and checks every output against the fields written out afresh. */
    const expectExact = (type: 'BUY_FILLED' | 'DECISION_END', fields: fc.Arbitrary<Readonly<Record<string, unknown>>>, numRuns: number): void => {
      fc.assert(
        fc.property(fc.array(fields, { minLength: 1, maxLength: 40 }), (events) => {
          const serialize = serializerFor(type);
          for (const event of events) expect(serialize(event)).toBe(Object.entries(event).map(([key, value]) => `,"${key}":${json(value)}`).join(''));
        }),
        { numRuns },
      );
    };
    // Small pools, so values repeat, come back after others and mix with null: every cache path runs.
    const qty = fc.constantFrom(Decimal.parse('0.001'), Decimal.parse('0.0010'), Decimal.parse('2'), 0.5, -0, Number.NaN, null);
    expectExact(
      'BUY_FILLED',
      fc.record({ symbol: fc.constantFrom('BTC/USDT', 'ETH/USDT', 'a"b'), qty, avg_px: qty, fee: qty, fee_currency: fc.constantFrom('USDT', 'BNB'), notional: qty, partial: fc.constantFrom(true, false) }),
      300,
    );
    // Number and text fields (DECISION_END: outcome id, duration number, reason text).
    expectExact(
      'DECISION_END',
      fc.record({
        symbol: fc.constantFrom('BTC/USDT', 'ETH/USDT'),
        outcome: fc.constantFrom('blocked', 'no_signal'),
        duration_ms: fc.constantFrom(0, -0, 0.007, 12, Number.NaN, Number.POSITIVE_INFINITY),
        reason: fc.constantFrom('cooldown', 'already_in_position', 'line\nbreak'),
      }),
      200,
    );
  });

  it('writes U+FFFD as the escape \\ufffd: the line holds no raw one (readers take that for damaged bytes) and reads back the same', () => {
    const lines: string[] = [];
    const recorder = new Recorder({ sessionId: 'session_\uFFFD', sink: new NullSink() });
    recorder.onLine((_type, _fields, line) => lines.push(line));
    const fields = {
      dashboard_event_type: 'X\uFFFD',
      message: 'price \uFFFD from the exchange',
      source: 'a.ts:1',
      timestamp: '00:00:00',
      data: { 'key\uFFFD': 'value \uFFFD', nested: ['\uFFFD'] },
    };
    recorder.emit('DASH_EVENT', fields);
    recorder.emit('LOG', { message: '\uFFFD', component: '\uFFFD'.repeat(300) });
    for (const line of lines) {
      expect(line.includes('\uFFFD')).toBe(false);
      expect(line).toContain('\\ufffd');
      expect(parseLine(line, true).ok).toBe(true);
    }
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ session_id: 'session_\uFFFD', ...fields });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ message: '\uFFFD', component: `${'\uFFFD'.repeat(256)}…[truncated 44 chars]` });
  });

  it('writes non-finite numbers as null rather than invalid JSON', () => {
    const out = serializerFor('DECISION_END')({ symbol: 'X', outcome: 'error', duration_ms: Number.NaN });
    expect(out).toBe(',"symbol":"X","outcome":"error","duration_ms":null');
  });

  it('caches repeated id values, and a secret registered later still never leaks through the cache', () => {
    const { recorder, lines } = capture();
    const order = { intent_id: 'int_0123456789abcdef', symbol: 'BTC/USDT', side: 'buy', qty: 1, limit_px: 1, quote_budget: 1, notional: 1, tif: 'IOC', slippage_bps: 1, min_notional: 1, max_retries: 1, retry_backoff_ms: 1, attempt: 1, attempt_start_ts: 1, client_order_id: 'coid-SECRETVALUE42' } as const;
    recorder.emit('ORDER_CONTEXT', order);
    recorder.emit('ORDER_CONTEXT', order);
    registerSecretValue('SECRETVALUE42');
    recorder.emit('ORDER_CONTEXT', order);
    expect(lines.map((l) => l.includes('SECRETVALUE42'))).toEqual([true, true, false]);
    expect(lines[2]).toContain(`"client_order_id":"coid-${REDACTED}"`);
  });

  it('a trace id cached before a secret is registered is scrubbed after', () => {
    const { recorder, lines } = capture();
    withIntent('int_SECRETINTENT77', () => {
      recorder.emit('LOG', { message: 'a' });
      registerSecretValue('SECRETINTENT77');
      recorder.emit('LOG', { message: 'b' });
    });
    expect(lines.map((l) => l.includes('SECRETINTENT77'))).toEqual([true, false]);
  });

  it('generates straight-line code with JSON-quoted keys', () => {
    const source = serializerSource('ORDER_CONTEXT');
    expect(source).toContain('x = v["attempt_start_ts"];');
    expect(source).not.toMatch(/\bfor\s*\(/);
  });
});
