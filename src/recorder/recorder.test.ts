import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { FileSink } from './file-sink.js';
import { parseLine } from './line-parser.js';
import { Recorder } from './recorder.js';
import { RecorderError } from './recorder-error.js';
import { withDecision, withIntent } from './trace-context.js';

function tempLogs(): string {
  return join(mkdtempSync(join(tmpdir(), 'tradetrace-rec-')), 'logs');
}

describe('Recorder', () => {
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

  it('refuses an order line outside an intent with a typed error', () => {
    const recorder = new Recorder({ sessionId: 'session_20251026_102636', sink: new FileSink(tempLogs()) });
    expect(() => recorder.emit('ORDER_RETRY', { symbol: 'BTC/USDT', attempt: 1, next_attempt: 2, reason: 'timeout', message: 'x', backoff_ms: 400 }))
      .toThrow(RecorderError);
  });
});
