import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { FileSink } from './file-sink.js';
import type { LineSink } from './line-sink.js';
import { parseLine } from './line-parser.js';
import { Recorder } from './recorder.js';
import { RecorderError } from './recorder-error.js';
import { withDecision, withIntent } from './trace-context.js';
import { tempDir } from '../../test/support/temp-dir.js';

function tempLogs(): string {
  return join(tempDir('tradetrace-rec-'), 'logs');
}

describe('Recorder', () => {
  it('stamps every line with the exact ISO time of its clock reading, across seconds, days and backwards steps', () => {
    // The ts text is built from a cached second plus the milliseconds; any reading must give toISOString's text.
    // Whole and fractional steps (an injected clock may read 0.25 ms), across the epoch too.
    const reading = fc.oneof(
      fc.integer({ min: -2500, max: 2500 }),
      fc.integer({ min: -90_000_000, max: 90_000_000 }),
      fc.double({ min: -1500, max: 1500, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.constantFrom(Date.UTC(2026, 0, 1), 0, -1, 0.5), fc.array(reading, { minLength: 1, maxLength: 40 }), (anchor, steps) => {
        let clock = anchor;
        const readings: number[] = [];
        const lines: string[] = [];
        const sink: LineSink = { write: (_channel, line) => void lines.push(line), flush: () => {}, close: () => {} };
        const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink, now: () => clock });
        for (const step of steps) {
          clock += step;
          readings.push(clock);
          recorder.emit('LOG', { message: 'tick' });
        }
        expect(lines.map((line) => (JSON.parse(line) as { ts: string }).ts)).toEqual(readings.map((ms) => new Date(ms).toISOString()));
      }),
      { numRuns: 300 },
    );
  });

  it('writes compact lines whose first keys are ts, level, event_type, session_id, seq, then the trace ids', async () => {
    const logs = tempLogs();
    const recorder = new Recorder({ sessionId: 'session_20251026_102636', sink: new FileSink(logs) });
    await withDecision('dec_20251026_123456_abc123', async () => {
      await Promise.resolve();
      withIntent('int_0123456789abcdef', () => {
        recorder.emit('ORDER_CONTEXT', {
          symbol: 'BTC/USDT', side: 'buy', qty: Decimal.parse('0.001'), limit_px: Decimal.parse('45000.0'),
          quote_budget: 45, notional: Decimal.parse('45'), tif: 'IOC', slippage_bps: 20, min_notional: 5,
          max_retries: 3, retry_backoff_ms: 400, attempt: 1, attempt_start_ts: 1698765432.123,
          client_order_id: 'int_0123456789abcdef-1',
        });
      });
    });
    recorder.close();
    const text = readFileSync(join(logs, 'orders.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toMatch(/^\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"info","event_type":"ORDER_CONTEXT","session_id":"session_20251026_102636","seq":1,"decision_id":"dec_20251026_123456_abc123","intent_id":"int_0123456789abcdef","symbol":"BTC\/USDT","side":"buy","qty":0\.001,"limit_px":45000,/);
    const parsed = parseLine(text.trim(), true);
    expect(parsed.ok).toBe(true);
  });

  it('hands the sink its clock reading only when that is Date.now: an injected clock is not the sink\'s clock', () => {
    const seen: (number | undefined)[] = [];
    const sink: LineSink = { write: (_channel, _line, _barrier, wallMs) => void seen.push(wallMs), flush: () => {}, close: () => {} };
    const before = Date.now();
    new Recorder({ sessionId: 'session_20260101_000000', sink }).emit('LOG', { message: 'real clock' });
    const after = Date.now();
    new Recorder({ sessionId: 'session_20260101_000000', sink, now: () => Date.UTC(2022, 0, 1) }).emit('LOG', { message: 'replayed time' });
    expect(seen).toHaveLength(2);
    expect(Number.isInteger(seen[0])).toBe(true);
    expect(seen[0]).toBeGreaterThanOrEqual(before);
    expect(seen[0]).toBeLessThanOrEqual(after);
    expect(seen[1]).toBeUndefined();
  });

  it('refuses an order line outside an intent with a typed error', () => {
    const recorder = new Recorder({ sessionId: 'session_20251026_102636', sink: new FileSink(tempLogs()) });
    expect(() => recorder.emit('ORDER_RETRY', { symbol: 'BTC/USDT', attempt: 1, next_attempt: 2, reason: 'timeout', message: 'x', backoff_ms: 400 }))
      .toThrow(RecorderError);
  });

  it('a throwing onLine listener neither breaks emit nor loses the line, and later listeners still run', () => {
    const logs = tempLogs();
    const recorder = new Recorder({ sessionId: 'session_20251026_102636', sink: new FileSink(logs) });
    const seen: string[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    recorder.onLine(() => {
      throw new Error('observer bug');
    });
    const unsubscribe = recorder.onLine((type, _fields, line) => seen.push(`${type} ${line.length}`));
    expect(() => recorder.emit('LOG', { message: 'still written' })).not.toThrow();
    unsubscribe();
    recorder.emit('LOG', { message: 'second' });
    recorder.close();
    const lines = readFileSync(join(logs, 'system.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(seen).toHaveLength(1);
    expect(recorder.listenerErrors).toBe(2);
    return new Promise<void>((done) => setImmediate(done)).then(() => {
      process.off('warning', onWarning);
      expect(warnings.some((w) => w.includes('observer bug'))).toBe(true);
    });
  });

  it('uses explicit trace ids over the context and repeats cached ids correctly when they change', () => {
    const logs = tempLogs();
    const recorder = new Recorder({ sessionId: 'session_20251026_102636', sink: new FileSink(logs) });
    withDecision('dec_20251026_123456_aaaaaa', () => {
      recorder.emit('DECISION_START', { symbol: 'BTC/USDT', bar_ts: '2025-10-26T12:34:00Z', price: 1, strategy: 's' });
      recorder.emit('DECISION_START', { decision_id: 'dec_20251026_123456_bbbbbb', symbol: 'BTC/USDT', bar_ts: '2025-10-26T12:34:00Z', price: 1, strategy: 's' });
      recorder.emit('DECISION_START', { symbol: 'ETH/USDT', bar_ts: '2025-10-26T12:34:00Z', price: Decimal.parse('2.50'), strategy: 's' });
    });
    recorder.close();
    const lines = readFileSync(join(logs, 'decisions.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['decision_id'], l['symbol'], l['price'], l['seq']])).toEqual([
      ['dec_20251026_123456_aaaaaa', 'BTC/USDT', 1, 1],
      ['dec_20251026_123456_bbbbbb', 'BTC/USDT', 1, 2],
      ['dec_20251026_123456_aaaaaa', 'ETH/USDT', 2.5, 3],
    ]);
  });
});
