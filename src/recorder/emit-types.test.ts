import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { NullSink } from './line-sink.js';
import { Recorder } from './recorder.js';

/**
 * Compile-time proof that emit is typed from the catalog: each `@ts-expect-error` below must be
 * an error, or `npm run typecheck` fails with "Unused '@ts-expect-error' directive". The calls
 * also run, into a NullSink, so the test proves the well-typed calls are accepted at runtime.
 */
function typedCalls(recorder: Recorder): void {
  const intent = { intent_id: 'int_0123456789abcdef' };
  recorder.emit('ORDER_RETRY', { ...intent, symbol: 'BTC/USDT', attempt: 1, next_attempt: 2, reason: 'timeout', message: 'timed out', backoff_ms: 400 });
  recorder.emit('SELL_FILLED', {
    decision_id: 'dec_20251026_123456_abc123', symbol: 'BTC/USDT', rule: 'take_profit', qty: Decimal.parse('0.001'), avg_px: 46000,
    entry_px: 45000, fee: Decimal.parse('0.046'), realized_pnl: Decimal.parse('0.95'), holding_s: 3600,
  });

  // @ts-expect-error a missing required field (backoff_ms)
  recorder.emit('ORDER_RETRY', { ...intent, symbol: 'BTC/USDT', attempt: 1, next_attempt: 2, reason: 'timeout', message: 'm' });
  // @ts-expect-error a field of the wrong type (attempt is a number)
  recorder.emit('ORDER_RETRY', { ...intent, symbol: 'BTC/USDT', attempt: '1', next_attempt: 2, reason: 'timeout', message: 'm', backoff_ms: 400 });
  // @ts-expect-error a value outside the field's enum (outcome)
  recorder.emit('DECISION_END', { decision_id: 'dec_20251026_123456_abc123', symbol: 'BTC/USDT', outcome: 'maybe', duration_ms: 3 });
  // An untyped caller (plain JS) gets a typed error instead of a crash.
  // @ts-expect-error an unknown event type
  expect(() => recorder.emit('ORDER_TELEPORTED', { symbol: 'BTC/USDT' })).toThrow(/unknown event_type "ORDER_TELEPORTED"/);
  // @ts-expect-error a float string is not a Decimal (money never travels as text)
  recorder.emit('BUY_FILLED', { ...intent, decision_id: 'dec_20251026_123456_abc123', symbol: 'BTC/USDT', qty: '0.001', avg_px: 45000, fee: 0, fee_currency: 'USDT', notional: 45, partial: false });
  // @ts-expect-error the wrong level name
  recorder.emit('LOG', { message: 'm' }, { level: 'verbose' });
  // @ts-expect-error fields of another event (FATAL has no symbol, needs origin)
  recorder.emit('FATAL', { symbol: 'BTC/USDT', error_code: 'E', message: 'm' });
}

describe('typed emit', () => {
  it('accepts well-typed calls (the rejected ones are checked by tsc)', () => {
    const sink = new NullSink();
    const recorder = new Recorder({ sessionId: 'session_20251026_102636', sink });
    // The ill-typed calls still run here: what matters is that each one failed to compile.
    typedCalls(recorder);
    expect(sink.lines).toBe(8);
  });
});
