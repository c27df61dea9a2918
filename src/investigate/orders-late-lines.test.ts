import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

/** Lines written inside an intent of a decision, as the router and the order watcher write them. */
function inIntent(s: SessionWriter, ids: { decisionId: string; intentId: string }, write: () => void): void {
  withDecision(ids.decisionId, () => withIntent(ids.intentId, write));
}

const order = (intentId: string, attempt = 1) => ({ symbol: 'ETH/USDT', side: 'buy' as const, attempt, client_order_id: `${intentId}-${attempt}` });

/** What src/engine/order-watcher.ts writes when it finds an unsettled order (filled) at the exchange. */
function watcherFill(s: SessionWriter, ids: { decisionId: string; intentId: string }, filledQty: string, partial: boolean): void {
  inIntent(s, ids, () => {
    const qty = Decimal.parse(filledQty);
    const px = Decimal.parse('2501');
    s.emit('ORDER_FILLED', { ...order(ids.intentId), exchange_order_id: 'ex-late', filled_qty: qty, avg_px: px, fee: Decimal.ZERO, fee_currency: 'ETH', partial });
    s.emit('BUY_FILLED', { symbol: 'ETH/USDT', qty, avg_px: px, fee: Decimal.ZERO, fee_currency: 'ETH', notional: qty.mul(px), partial });
  });
}

function ordersLines(dir: string, intentId: string): string[] {
  return readFileSync(join(dir, 'logs', 'orders.jsonl'), 'utf8').split('\n').filter((l) => l.includes(`"intent_id":"${intentId}"`));
}

// The router gives up on an attempt that timed out and could not be looked up (ORDER_FAILED
// timeout_exhausted): the store holds the order `unknown`, and the session's order watcher, asking the
// exchange each bar, writes ORDER_FILLED under the same intent when it finds the order filled.
describe('orders: a fill the order watcher found after the router gave up', () => {
  const dir = tempDir('tt-orders-late-fill-');
  const A = 'session_20251029_090000';
  const s = new SessionWriter({ dataDir: dir, sessionId: A, start: new Date('2025-10-29T09:00:00.000Z'), config: BASE_CONFIG });
  const gaveUp = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', failure: { reason: 'timeout_exhausted', message: 'attempt 1 timed out and order could not be looked up; not resending' } });
  const other = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  watcherFill(s.tick(60_000), gaveUp, '0.02', false);
  const slipped = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45', expired: { filledQty: '0' } });
  s.tick(1000).end('signal', 0);

  it('counts the intent filled, not as a timeout_exhausted failure', async () => {
    const r = await runQuery(['orders', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^3 order intents: 2 filled, 1 failed, 0 canceled, 0 without a final state\nfailures by reason:\n {2}slippage +1 {2}latest: /);
    expect(r.stdout).not.toContain('timeout_exhausted  ');
    expect(r.stdout).toContain(`${gaveUp.intentId}  buy ETH/USDT  FILLED  1 attempt`);
    expect(r.stdout).toContain(`${other.intentId}  buy BTC/USDT  FILLED  1 attempt`);
    expect(r.stdout).toContain(`${slipped.intentId}  buy BTC/USDT  FAILED slippage  1 attempt`);
    const failed = await runQuery(['orders', '--status', 'failed', '--data-dir', dir]);
    expect(failed.stdout).not.toContain(gaveUp.intentId);
    for (const extra of [[], ['--json']]) {
      const one = await runQuery(['orders', '--intent', gaveUp.intentId, '--status', 'filled', ...extra, '--data-dir', dir]);
      expect(one.code, extra.join(' ')).toBe(0);
    }
  });

  it('--json prints the intent whole, the late fill after the failure included, once it is filled', async () => {
    const r = await runQuery(['orders', '--status', 'filled', '--json', '--data-dir', dir]);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.includes(gaveUp.intentId))).toEqual(ordersLines(dir, gaveUp.intentId));
    expect(ordersLines(dir, gaveUp.intentId).map((l) => (JSON.parse(l) as { event_type: string }).event_type)).toEqual(['ORDER_CONTEXT', 'ORDER_FAILED', 'ORDER_FILLED']);
  });

  it('trace calls it filled, found by the watcher after the router gave up, as orders does', async () => {
    for (const mode of [[], ['--no-index']]) {
      const r = await runQuery(['trace', gaveUp.decisionId, '--data-dir', dir, ...mode]);
      expect(r.code, mode.join(' ')).toBe(0);
      expect(r.stdout).toContain('FILLED: bought 0.02 ETH/USDT at 2501, found by the order watcher after the router had given up on attempt 1: timeout_exhausted: attempt 1 timed out');
      expect(r.stdout).not.toMatch(/FAILED: the order failed for good/);
    }
  });

  it('sessions counts it a fill, as orders --session does', async () => {
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.stdout).toContain('decisions 3  fills 2  failures 1\n');
    const orders = await runQuery(['orders', '--session', A, '--data-dir', dir]);
    expect(orders.stdout).toMatch(/^3 order intents: 2 filled, 1 failed, /);
  });
});

// The router settles an attempt in one go (ORDER_CANCELED then ORDER_FAILED for an IOC order that
// expired unfilled), but the scan can meet a line of another intent between the two.
describe('orders: an outcome whose lines have another intent\'s line between them', () => {
  it('takes the failure after the cancel, in the counts, the list and --json', async () => {
    const dir = tempDir('tt-orders-interleaved-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251029_100000', start: new Date('2025-10-29T10:00:00.000Z'), config: BASE_CONFIG });
    const a = { decisionId: 'dec_20251029_100100_aaaaaa', intentId: 'int_0000000000a10001' };
    const b = { decisionId: 'dec_20251029_100100_bbbbbb', intentId: 'int_0000000000b10001' };
    const context = (intentId: string) => ({
      ...order(intentId), qty: Decimal.parse('0.02'), limit_px: Decimal.parse('2505'), quote_budget: Decimal.parse('50'), notional: Decimal.parse('50.1'),
      tif: 'IOC' as const, slippage_bps: 20, min_notional: Decimal.parse('5'), max_retries: 3, retry_backoff_ms: 400, attempt_start_ts: s.now.getTime() / 1000,
    });
    s.tick(60_000);
    inIntent(s, a, () => {
      s.emit('ORDER_CONTEXT', context(a.intentId));
      s.tick(30).emit('ORDER_SUBMITTED', { ...order(a.intentId), exchange_order_id: 'ex-a', status: 'expired' });
      s.emit('ORDER_CANCELED', { ...order(a.intentId), reason: 'ioc_expired', filled_qty: Decimal.ZERO });
    });
    inIntent(s, b, () => s.tick(1).emit('ORDER_CONTEXT', context(b.intentId)));
    inIntent(s, a, () => s.tick(1).emit('ORDER_FAILED', { ...order(a.intentId), reason: 'slippage', message: 'no fill within limit 2505' }));
    inIntent(s, b, () => {
      s.tick(30).emit('ORDER_SUBMITTED', { ...order(b.intentId), exchange_order_id: 'ex-b', status: 'filled' });
      s.emit('ORDER_FILLED', { ...order(b.intentId), exchange_order_id: 'ex-b', filled_qty: Decimal.parse('0.02'), avg_px: Decimal.parse('2500'), fee: Decimal.ZERO, fee_currency: 'ETH', partial: false });
    });
    s.tick(1000).end('signal', 0);

    const r = await runQuery(['orders', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^2 order intents: 1 filled, 1 failed, 0 canceled, 0 without a final state\nfailures by reason:\n {2}slippage +1 {2}latest: /);
    expect(r.stdout).toContain(`${a.intentId}  buy ETH/USDT  FAILED slippage  1 attempt`);
    const canceled = await runQuery(['orders', '--status', 'canceled', '--data-dir', dir]);
    expect(canceled.code).toBe(1);
    const json = await runQuery(['orders', '--status', 'failed', '--json', '--data-dir', dir]);
    expect(json.stdout.trim().split('\n')).toEqual(ordersLines(dir, a.intentId));
    const all = await runQuery(['orders', '--json', '--data-dir', dir]);
    expect(all.stdout.trim().split('\n')).toEqual([...ordersLines(dir, a.intentId), ...ordersLines(dir, b.intentId)]);
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stdout).toContain('fills 1  failures 1\n');
  });
});

// A GTC order resting on the book fills in part when placed (ORDER_FILLED partial), and the order
// watcher finds the rest filled later (ORDER_FILLED, not partial): one intent, one fill.
describe('sessions: counts order intents by their final verdict, as orders --session does', () => {
  it('a partial fill then the rest found by the watcher is one fill', async () => {
    const dir = tempDir('tt-sessions-intents-');
    const A = 'session_20251029_110000';
    const s = new SessionWriter({ dataDir: dir, sessionId: A, start: new Date('2025-10-29T11:00:00.000Z'), config: BASE_CONFIG });
    const resting = { decisionId: 'dec_20251029_110100_cccccc', intentId: 'int_0000000000c10001' };
    s.tick(60_000);
    inIntent(s, resting, () => {
      s.emit('ORDER_CONTEXT', {
        ...order(resting.intentId), qty: Decimal.parse('0.02'), limit_px: Decimal.parse('2505'), quote_budget: Decimal.parse('50'), notional: Decimal.parse('50.1'),
        tif: 'GTC', slippage_bps: 20, min_notional: Decimal.parse('5'), max_retries: 3, retry_backoff_ms: 400, attempt_start_ts: s.now.getTime() / 1000,
      });
      s.tick(30).emit('ORDER_SUBMITTED', { ...order(resting.intentId), exchange_order_id: 'ex-c', status: 'partially_filled' });
      s.emit('ORDER_FILLED', { ...order(resting.intentId), exchange_order_id: 'ex-c', filled_qty: Decimal.parse('0.005'), avg_px: Decimal.parse('2500'), fee: Decimal.ZERO, fee_currency: 'ETH', partial: true });
    });
    const later = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
    watcherFill(s.tick(60_000), resting, '0.02', false);
    s.tick(1000).end('signal', 0);

    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stdout).toContain('fills 2  failures 0\n');
    const orders = await runQuery(['orders', '--session', A, '--data-dir', dir]);
    expect(orders.stdout).toMatch(/^2 order intents: 2 filled, 0 failed, 0 canceled, 0 without a final state\n/);
    expect(orders.stdout).toContain(`${resting.intentId}  buy ETH/USDT  FILLED  1 attempt`);
    expect(orders.stdout).toContain(`${later.intentId}  buy BTC/USDT  FILLED  1 attempt`);
  });
});

describe('orders --intent: reports the unreadable lines of what it reads, as the scan does', () => {
  it('a broken line in another channel is not reported; one in the orders file is', async () => {
    const dir = tempDir('tt-orders-intent-skipped-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251029_120000', start: new Date('2025-10-29T12:00:00.000Z'), config: BASE_CONFIG });
    const filled = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
    s.tick(1000).end('signal', 0);
    appendFileSync(join(dir, 'logs', 'decisions.jsonl'), 'this is not a log line\n');
    const scan = await runQuery(['orders', '--data-dir', dir]);
    expect([scan.code, scan.stderr]).toEqual([0, '']);
    const one = await runQuery(['orders', '--intent', filled.intentId, '--data-dir', dir]);
    expect([one.code, one.stderr]).toEqual([0, '']);
    expect(one.stdout).toMatch(/^1 order intent: 1 filled, /);

    appendFileSync(join(dir, 'logs', 'orders.jsonl'), 'nor is this one\n');
    const both = await runQuery(['orders', '--data-dir', dir]);
    const oneAgain = await runQuery(['orders', '--intent', filled.intentId, '--data-dir', dir]);
    expect(both.stderr).toMatch(/^skipped 1 unreadable line in orders\.jsonl \(line \d+\)\n$/);
    expect(oneAgain.stderr).toBe(both.stderr);

    // A torn last line (the writer killed mid-write) is reported whichever way the intent is found.
    appendFileSync(join(dir, 'logs', 'orders.jsonl'), '{"ts":"2025-10-29T12:05');
    const torn = await runQuery(['orders', '--data-dir', dir]);
    const tornOne = await runQuery(['orders', '--intent', filled.intentId, '--data-dir', dir]);
    expect(torn.stderr).toMatch(/^skipped 2 unreadable lines in orders\.jsonl \(lines \d+, \d+\)\n$/);
    expect(tornOne.stderr).toBe(torn.stderr);
  });
});
