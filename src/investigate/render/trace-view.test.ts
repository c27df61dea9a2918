import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import type { ExitRule } from '../../recorder/events/order-events.js';
import { FileSink } from '../../recorder/file-sink.js';
import { parseLine } from '../../recorder/line-parser.js';
import { Recorder } from '../../recorder/recorder.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';
import type { LocatedEvent } from '../query/find-events.js';
import { describeEvent } from './trace-view.js';

/** EXIT_TRIGGERED lines as the recorder writes them, read back as trace locates them. */
function exitLines(rules: readonly { rule: ExitRule; triggerPx: string; price: string }[]): LocatedEvent[] {
  return orderLines((recorder) => {
    for (const { rule, triggerPx, price } of rules) {
      recorder.emit('EXIT_TRIGGERED', { symbol: 'BTC/USDT', rule, entry_px: Decimal.from('40000'), trigger_px: Decimal.from(triggerPx), price: Decimal.from(price), qty: Decimal.from('0.001') });
    }
  });
}

/** The orders.jsonl lines `write` emits inside one decision and intent, read back as trace locates them. */
function orderLines(write: (recorder: Recorder) => void, channel: 'orders' | 'system' = 'orders'): LocatedEvent[] {
  const logs = join(tempDir('tradetrace-trace-view-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: new FileSink(logs) });
  withDecision('dec_20260101_000000_abcdef', () => withIntent('int_0123456789abcdef', () => write(recorder)));
  recorder.close();
  const path = join(logs, `${channel}.jsonl`);
  let offset = 0;
  return readFileSync(path, 'utf8').trim().split('\n').map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const located: LocatedEvent = { event: parsed.value, file: { channel, path, gzipped: false, current: true }, offset, text };
    offset += Buffer.byteLength(text) + 1;
    return located;
  });
}

describe('describeEvent: EXIT_TRIGGERED', () => {
  it('says which price level a price rule crossed, and that max holding time is a clock, not a level', () => {
    const [stop, held] = exitLines([
      { rule: 'stop_loss', triggerPx: '39600', price: '39550.5' },
      { rule: 'max_holding_time', triggerPx: '38412', price: '38412' },
    ]);
    if (!stop || !held) throw new Error('expected two lines');
    expect(describeEvent(stop)).toBe('exit rule stop_loss fired: price 39550.5 crossed 39600 (entry 40000), selling 0.001');
    expect(describeEvent(held)).toBe('exit rule max_holding_time fired: held past the limit, price 38412 (entry 40000), selling 0.001');
  });
});

describe('describeEvent: EXIT_BLOCKED', () => {
  it("tells the bot's own reason (pre-check, venue refusal or too small a quantity), then the order's numbers", () => {
    const logs = join(tempDir('tradetrace-trace-view-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: new FileSink(logs) });
    const message = 'stop_loss fired but the sell was refused: order value too small at this venue; the position is held until its order value exceeds 6.986 USD (logged once until then)';
    withDecision('dec_20260101_000000_abcdef', () => {
      recorder.emit('EXIT_BLOCKED', {
        symbol: 'BTC/USD', rule: 'stop_loss', trigger_px: Decimal.from('45000'), price: Decimal.from('7000'), qty: Decimal.from('0.001'), limit_px: Decimal.from('6986'),
        notional: Decimal.from('6.986'), min_notional: Decimal.from('5'), refused_by: 'router', message,
      });
    });
    recorder.close();
    const path = join(logs, 'orders.jsonl');
    const text = readFileSync(path, 'utf8').trim();
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const line: LocatedEvent = { event: parsed.value, file: { channel: 'orders', path, gzipped: false, current: true }, offset: 0, text };
    expect(describeEvent(line)).toBe(`EXIT BLOCKED: ${message} [sell 0.001 at limit 6986, value 6.986, minimum 5]`);
  });
});

describe('describeEvent: ORDER_FAILED', () => {
  it('does not repeat the attempt and reason the router put before the exchange\'s words, and keeps an exchange code that differs', () => {
    const [rejected, belowMin] = orderLines((recorder) => {
      recorder.emit('ORDER_FAILED', { symbol: 'BTC/USDT', side: 'buy', reason: 'rejected', message: 'attempt 2: rejected: order rejected by risk engine', attempt: 2, client_order_id: 'int_0123456789abcdef-2' });
      recorder.emit('ORDER_FAILED', { symbol: 'BTC/USDT', side: 'buy', reason: 'min_notional', message: 'attempt 1: notional_below_min: notional 2.5 below min_notional 5', attempt: 1 });
    });
    if (!rejected || !belowMin) throw new Error('expected two lines');
    expect(describeEvent(rejected)).toBe('ORDER FAILED on attempt 2: rejected: order rejected by risk engine');
    expect(describeEvent(belowMin)).toBe('ORDER FAILED on attempt 1: min_notional: notional_below_min: notional 2.5 below min_notional 5');
  });
});

describe('describeEvent: LOG', () => {
  it('says a note of the decision whole, with its component and level (a warning of the order watcher, 300 characters)', () => {
    const message = `order int_0123456789abcdef-1 is not on the exchange: it was never placed. ${'Marked not_found. '.repeat(12)}`.trim();
    const [line] = orderLines((recorder) => recorder.emit('LOG', { component: 'OrderWatcher', message }, { level: 'warn' }), 'system');
    expect(line && describeEvent(line)).toBe(`WARN from OrderWatcher: ${message}`);
  });
});

describe('describeEvent: ORDER_RETRY', () => {
  it('says a look-up of an order whose state a timeout left unknown is no new attempt, and nothing was resent', () => {
    const [unknown, resend] = orderLines((recorder) => {
      recorder.emit('ORDER_RETRY', { symbol: 'BTC/USDT', attempt: 1, next_attempt: 1, reason: 'order_state_unknown', message: 'looking up int_0123456789abcdef-1 after a timeout: timeout: request timed out after 5000ms', backoff_ms: 241 });
      recorder.emit('ORDER_RETRY', { symbol: 'BTC/USDT', attempt: 1, next_attempt: 2, reason: 'rate_limited', message: '429', backoff_ms: 400 });
    });
    if (!unknown || !resend) throw new Error('two lines expected');
    expect(describeEvent(unknown)).toBe("attempt 1's order state unknown (order_state_unknown: looking up int_0123456789abcdef-1 after a timeout: timeout: request timed out after 5000ms); looked up again after a backoff of 241ms, nothing resent");
    expect(describeEvent(resend)).toBe('attempt 1 failed (rate_limited: 429); retrying as attempt 2 after a backoff of 400ms');
  });
});

describe('describeEvent: the bar an exit names', () => {
  it('says on which bar the rule fired when the line names it, and nothing of the kind for an older line without it', () => {
    const [named, older] = orderLines((recorder) => {
      recorder.emit('EXIT_TRIGGERED', { symbol: 'BTC/USDT', rule: 'stop_loss', bar_ts: '2022-01-15T10:42:00.000Z', entry_px: Decimal.from('40000'), trigger_px: Decimal.from('39600'), price: Decimal.from('39550'), qty: Decimal.from('0.001') });
      recorder.emit('EXIT_TRIGGERED', { symbol: 'BTC/USDT', rule: 'stop_loss', entry_px: Decimal.from('40000'), trigger_px: Decimal.from('39600'), price: Decimal.from('39550'), qty: Decimal.from('0.001') });
    });
    if (!named || !older) throw new Error('two lines expected');
    expect(describeEvent(named)).toBe('exit rule stop_loss fired on the bar of 2022-01-15 10:42:00.000Z: price 39550 crossed 39600 (entry 40000), selling 0.001');
    expect(describeEvent(older)).toBe('exit rule stop_loss fired: price 39550 crossed 39600 (entry 40000), selling 0.001');
  });
});
