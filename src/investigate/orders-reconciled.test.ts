import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import type { OrderStatus } from '../domain/order-state.js';
import { ok } from '../domain/result.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder } from '../execution/exchange.js';
import type { ReconcileExchange } from '../store/reconcile.js';
import { recoverState } from '../store/recover-state.js';
import { StateStore } from '../store/state-store.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

/**
 * Orders a killed bot left unsettled, as a restart settles them: the next session's recovery
 * (src/store/recover-state.ts, the real one) asks an exchange about each by client order id and
 * writes ORDER_RECONCILED, in that session, with the intent's decision_id and intent_id.
 */
class Exchange implements ReconcileExchange {
  readonly orders = new Map<string, ExchangeOrder>();
  readonly failures = new Map<string, ExchangeResult<ExchangeOrder>[]>();

  hold(clientOrderId: string, symbol: string, qty: Decimal, status: OrderStatus, filledQty: string, avgPx: string | null): void {
    this.orders.set(clientOrderId, {
      clientOrderId, exchangeOrderId: `ex-${clientOrderId}`, symbol, side: 'buy', type: 'limit', tif: 'IOC', qty, limitPx: null, status,
      filledQty: Decimal.parse(filledQty), filledNotional: avgPx === null ? Decimal.ZERO : Decimal.parse(filledQty).mul(Decimal.parse(avgPx)),
      avgPx: avgPx === null ? null : Decimal.parse(avgPx), fee: Decimal.ZERO, feeCurrency: 'USDT', createdAt: 0, updatedAt: 0,
    });
  }

  fetchOrderByClientId(_symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    const scripted = this.failures.get(clientOrderId)?.shift();
    if (scripted) return Promise.resolve(scripted);
    const order = this.orders.get(clientOrderId);
    return Promise.resolve(order ? ok(order) : failure(exchangeError.notFound(`Order does not exist: ${clientOrderId}`)));
  }

  cancelOrder(_symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.resolve(failure(exchangeError.notFound(`Order does not exist: ${clientOrderId}`)));
  }
}

/** A session starting on the data directory: the store as the killed one left it, then recovery. */
async function restart(dir: string, sessionId: string, start: string, exchange: Exchange): Promise<SessionWriter> {
  const s = new SessionWriter({ dataDir: dir, sessionId, start: new Date(start), config: BASE_CONFIG });
  const store = StateStore.open({ dataDir: dir, now: () => s.now.getTime() });
  await recoverState({ store, exchange, recorder: s.recorder, sleep: () => Promise.resolve(), now: () => s.now.getTime() });
  store.close();
  return s;
}

/** What the killed session's store held: the order recorded before it was sent, and its status since. */
function stored(dir: string, order: { decisionId: string; intentId: string; clientOrderId: string; qty: Decimal; limitPx: Decimal }, symbol: string, status?: 'unknown'): void {
  const store = StateStore.open({ dataDir: dir });
  if (store.balance('USDT').isZero()) store.setBalances({ USDT: Decimal.parse('10000') });
  store.recordOrder({ clientOrderId: order.clientOrderId, intentId: order.intentId, decisionId: order.decisionId, symbol, side: 'buy', qty: order.qty, limitPx: order.limitPx });
  if (status) store.updateOrder(order.clientOrderId, { status });
  store.close();
}

describe('orders: an intent a restart settled by reconciliation shows what the reconciliation found', () => {
  const dir = tempDir('tt-orders-reconciled-');
  const exchange = new Exchange();
  const A = 'session_20251026_140000';
  const B = 'session_20251026_141000';
  const C = 'session_20251026_142000';
  let filled: { intentId: string; decisionId: string };
  let timedOut: { intentId: string; decisionId: string };
  let inFlightA: ReturnType<SessionWriter['buyInFlight']>;
  let inFlightB: ReturnType<SessionWriter['buyInFlight']>;

  // A: a buy that filled; one whose attempt timed out and could not be looked up (the router gave up,
  // ORDER_FAILED timeout_exhausted, the store holds it unknown); then killed with a buy in flight.
  // B: recovery finds the in-flight buy filled (booked_fill) and cannot reach the exchange about the
  // timed-out one (unknown); then killed with a buy in flight. C: recovery finds the timed-out order
  // filled after all, and B's in-flight one never reached the exchange (not_found).
  beforeAll(async () => {
    const a = new SessionWriter({ dataDir: dir, sessionId: A, start: new Date('2025-10-26T14:00:00.000Z'), config: BASE_CONFIG });
    filled = a.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
    const eth = a.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', failure: { reason: 'timeout_exhausted', message: 'attempt 1 timed out and order could not be looked up; not resending' } });
    timedOut = eth;
    const flying = a.tick(60_000).buyInFlight({ symbol: 'BTC/USDT', price: '45100', qty: '0.001', quoteBudget: '45' });
    inFlightA = flying;
    a.abandon();
    stored(dir, { ...eth, clientOrderId: `${eth.intentId}-1`, qty: Decimal.parse('0.02'), limitPx: Decimal.parse('2505') }, 'ETH/USDT', 'unknown');
    stored(dir, flying, 'BTC/USDT');

    exchange.hold(flying.clientOrderId, 'BTC/USDT', flying.qty, 'filled', '0.001', '45080');
    exchange.failures.set(`${eth.intentId}-1`, [1, 2, 3].map(() => failure(exchangeError.timeout('timed out after 5000ms', true))));
    const b = await restart(dir, B, '2025-10-26T14:10:00.000Z', exchange);
    inFlightB = b.tick(60_000).buyInFlight({ symbol: 'BTC/USDT', price: '45200', qty: '0.001', quoteBudget: '45' });
    b.abandon();
    stored(dir, inFlightB, 'BTC/USDT');

    exchange.hold(`${eth.intentId}-1`, 'ETH/USDT', Decimal.parse('0.02'), 'filled', '0.02', '2501');
    const c = await restart(dir, C, '2025-10-26T14:20:00.000Z', exchange);
    c.tick(60_000).end('signal', 0);
  });

  it('the restarts wrote ORDER_RECONCILED in their own session, with the decision_id and intent_id of the order', () => {
    const reconciled = readFileSync(join(dir, 'logs', 'orders.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"ORDER_RECONCILED"'));
    expect(reconciled.map((l) => { const v = JSON.parse(l) as Record<string, string>; return [v['session_id'], v['intent_id'], v['decision_id'], v['outcome']]; })).toEqual([
      [B, timedOut.intentId, timedOut.decisionId, 'unknown'],
      [B, inFlightA.intentId, inFlightA.decisionId, 'booked_fill'],
      [C, timedOut.intentId, timedOut.decisionId, 'booked_fill'],
      [C, inFlightB.intentId, inFlightB.decisionId, 'not_found'],
    ]);
  });

  it('counts each intent by its final outcome, saying which were settled by reconciliation, and where', async () => {
    const r = await runQuery(['orders', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^4 order intents: 3 filled, 1 failed, 0 canceled, 0 without a final state \(3 settled by restart reconciliation\)\nfailures by reason:\n {2}not_found +1 {2}latest: /);
    expect(r.stdout).toContain(`latest: ${inFlightB.intentId} (decision ${inFlightB.decisionId}) at 2025-10-26 14:20:00.000Z: the exchange has no order ${inFlightB.clientOrderId}`);
    expect(r.stdout).toContain(`${filled.intentId}  buy BTC/USDT  FILLED  1 attempt`);
    expect(r.stdout).toContain(`${inFlightA.intentId}  buy BTC/USDT  FILLED  1 attempt`);
    expect(r.stdout).toContain(`    settled by restart reconciliation in ${B} (placed in ${A}) at 2025-10-26 14:10:00.000Z: booked_fill: exchange filled, filled 0.001, booked 0.001, status new -> filled: filled while the bot was down; booked 0.001 at 45080\n`);
    // The router gave up on it (timeout_exhausted); the next restart could not reach the exchange, the one after found it filled.
    expect(r.stdout).toContain(`${timedOut.intentId}  buy ETH/USDT  FILLED  1 attempt`);
    expect(r.stdout).toContain(`    settled by restart reconciliation in ${C} (placed in ${A}) at 2025-10-26 14:20:00.000Z: booked_fill: exchange filled, filled 0.02, booked 0.02, status unknown -> filled:`);
    expect(r.stdout).toContain(`${inFlightB.intentId}  buy BTC/USDT  FAILED not_found  1 attempt`);
    expect(r.stdout).toContain(`    settled by restart reconciliation in ${C} (placed in ${B}) at 2025-10-26 14:20:00.000Z: not_found: filled 0, booked 0, status new -> not_found: the exchange has no order`);
  });

  it('--status: an intent reconciliation settled is no longer open, and is found by the status it settled to', async () => {
    const open = await runQuery(['orders', '--status', 'open', '--data-dir', dir]);
    expect([open.code, open.stdout]).toEqual([1, '']);
    const failed = await runQuery(['orders', '--status', 'failed', '--data-dir', dir]);
    expect(failed.stdout).toMatch(/^1 order intent: 0 filled, 1 failed, 0 canceled, 0 without a final state \(1 settled by restart reconciliation\)\n/);
    expect(failed.stdout).toContain(`${inFlightB.intentId}  buy BTC/USDT  FAILED not_found`);
  });

  it('--session of the session that placed the order still shows the outcome a later session found', async () => {
    const r = await runQuery(['orders', '--session', A, '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^3 order intents: 3 filled, 0 failed, 0 canceled, 0 without a final state \(2 settled by restart reconciliation\)\n/);
    expect(r.stdout).toContain(`settled by restart reconciliation in ${B} (placed in ${A})`);
    expect(r.stdout).toContain(`settled by restart reconciliation in ${C} (placed in ${A})`);
    expect(r.stdout).not.toContain(inFlightB.intentId);
    // The session that reconciled an intent lists it too: it settled it there.
    const b = await runQuery(['orders', '--session', B, '--data-dir', dir]);
    expect(b.stdout).toMatch(/^3 order intents: 2 filled, 1 failed, 0 canceled, 0 without a final state \(3 settled by restart reconciliation\)\n/);
    expect(b.stdout).not.toContain(filled.intentId);
  });

  it('trace: the decision of an order a restart settled shows its ORDER_RECONCILED, and what it found in the verdict', async () => {
    for (const extra of [[], ['--no-index']]) {
      const killed = await runQuery(['trace', inFlightA.decisionId, ...extra, '--data-dir', dir]);
      expect([killed.code, killed.stderr]).toEqual([0, '']);
      expect(killed.stdout).toContain(`\nFILLED: restart reconciliation in ${B} found the order booked_fill: filled while the bot was down; booked 0.001 at 45080 (the bot stopped before the decision ended); the position is still open (no SELL_FILLED)\n`);
      expect(killed.stdout).toMatch(new RegExp(`\\+6m59s {2}ORDER_RECONCILED order ${inFlightA.clientOrderId} reconciled on restart in ${B}: booked_fill, exchange filled, filled 0\\.001, booked 0\\.001, status new -> filled: filled while the bot was down`));
      const lost = await runQuery(['trace', inFlightB.decisionId, ...extra, '--data-dir', dir]);
      expect(lost.stdout).toContain(`\nUNFINISHED: the bot stopped with the order in flight (no DECISION_END); restart reconciliation in ${C} found the order not_found: the exchange has no order ${inFlightB.clientOrderId}`);
      // The router gave up (ORDER_FAILED, DECISION_END failed); the two restarts after it come into the chain, scanned or indexed.
      const gaveUp = await runQuery(['trace', timedOut.decisionId, ...extra, '--data-dir', dir]);
      expect(gaveUp.stdout).toContain(`\nFILLED: restart reconciliation in ${C} found the order booked_fill: filled while the bot was down; booked 0.02 at 2501 (the router had given up on attempt 1: timeout_exhausted: `);
      expect(gaveUp.stdout.match(/ORDER_RECONCILED order \S+ reconciled on restart in \S+: \w+/g)).toEqual([
        `ORDER_RECONCILED order ${timedOut.intentId}-1 reconciled on restart in ${B}: unknown`,
        `ORDER_RECONCILED order ${timedOut.intentId}-1 reconciled on restart in ${C}: booked_fill`,
      ]);
    }
  });

  it('--json prints each matching intent whole, its ORDER_RECONCILED from the later session included', async () => {
    const r = await runQuery(['orders', '--session', B, '--status', 'failed', '--json', '--data-dir', dir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event_type: string; session_id: string; intent_id: string });
    expect(lines.map((l) => [l.event_type, l.session_id, l.intent_id])).toEqual([
      ['ORDER_CONTEXT', B, inFlightB.intentId],
      ['ORDER_RECONCILED', C, inFlightB.intentId],
    ]);
    const one = await runQuery(['orders', '--intent', inFlightA.intentId, '--data-dir', dir]);
    expect(one.stdout).toMatch(/^1 order intent: 1 filled, 0 failed, 0 canceled, 0 without a final state \(1 settled by restart reconciliation\)\n/);
  });
});

describe('orders: reconciliation that found the order canceled, or still open', () => {
  it('canceled with nothing filled is canceled; still open at the exchange stays without a final state', async () => {
    const dir = tempDir('tt-orders-reconciled-canceled-');
    const exchange = new Exchange();
    const a = new SessionWriter({ dataDir: dir, sessionId: 'session_20251027_090000', start: new Date('2025-10-27T09:00:00.000Z'), config: BASE_CONFIG });
    const canceled = a.tick(60_000).buyInFlight({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
    a.abandon();
    stored(dir, canceled, 'BTC/USDT');
    exchange.hold(canceled.clientOrderId, 'BTC/USDT', canceled.qty, 'canceled', '0', null);
    const b = await restart(dir, 'session_20251027_091000', '2025-10-27T09:10:00.000Z', exchange);
    const resting = b.tick(60_000).buyInFlight({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
    b.abandon();
    stored(dir, resting, 'BTC/USDT');
    exchange.hold(resting.clientOrderId, 'BTC/USDT', resting.qty, 'submitted', '0', null);
    (await restart(dir, 'session_20251027_092000', '2025-10-27T09:20:00.000Z', exchange)).end('signal', 0);

    const r = await runQuery(['orders', '--data-dir', dir]);
    expect(r.stdout).toMatch(/^2 order intents: 0 filled, 0 failed, 1 canceled, 1 without a final state \(1 settled by restart reconciliation\)\n/);
    expect(r.stdout).toContain(`${canceled.intentId}  buy BTC/USDT  CANCELED  1 attempt`);
    expect(r.stdout).toContain('    settled by restart reconciliation in session_20251027_091000 (placed in session_20251027_090000) at 2025-10-27 09:10:00.000Z: canceled: exchange canceled, filled 0');
    expect(r.stdout).toContain(`${resting.intentId}  buy BTC/USDT  OPEN  1 attempt`);
    expect(r.stdout).toContain('    reconciled on restart in session_20251027_092000 (placed in session_20251027_091000) at 2025-10-27 09:20:00.000Z: still_open: exchange submitted, filled 0, booked 0, status new -> submitted: still open at the exchange');
  });
});

describe('trace --no-index: an order the router gave up on, settled by a restart far past the decision window', () => {
  it('scans on past the window for the ORDER_RECONCILED of a decision that failed with timeout_exhausted', async () => {
    const dir = tempDir('tt-trace-reconciled-scan-');
    const exchange = new Exchange();
    // Buffered: a thousand fills to push the restart's line past where a window scan stops reading (files over 1 MiB are cut by time).
    const a = new SessionWriter({ dataDir: dir, sessionId: 'session_20251028_090000', start: new Date('2025-10-28T09:00:00.000Z'), config: BASE_CONFIG, sinkMode: 'buffered' });
    const gaveUp = a.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', failure: { reason: 'timeout_exhausted', message: 'attempt 1 timed out and order could not be looked up; not resending' } });
    for (let i = 0; i < 1000; i++) a.tick(1000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
    a.abandon();
    const clientOrderId = `${gaveUp.intentId}-1`;
    stored(dir, { ...gaveUp, clientOrderId, qty: Decimal.parse('0.02'), limitPx: Decimal.parse('2505') }, 'ETH/USDT', 'unknown');
    exchange.hold(clientOrderId, 'ETH/USDT', Decimal.parse('0.02'), 'filled', '0.02', '2501');
    (await restart(dir, 'session_20251028_094000', '2025-10-28T09:40:00.000Z', exchange)).end('signal', 0);

    const r = await runQuery(['trace', gaveUp.decisionId, '--no-index', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`ORDER_RECONCILED order ${clientOrderId} reconciled on restart in session_20251028_094000: booked_fill, exchange filled, filled 0.02, booked 0.02`);
    expect(r.stdout).toContain('\nFILLED: restart reconciliation in session_20251028_094000 found the order booked_fill: filled while the bot was down; booked 0.02 at 2501 (the router had given up on attempt 1: timeout_exhausted: ');
  });
});
