import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import type { OrderStatus } from '../domain/order-state.js';
import { ok } from '../domain/result.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder } from '../execution/exchange.js';
import { FileSink } from '../recorder/file-sink.js';
import { parseLine } from '../recorder/line-parser.js';
import { Recorder } from '../recorder/recorder.js';
import { reconcileOpenOrders, type ReconcileExchange } from './reconcile.js';
import { recoverState } from './recover-state.js';
import { StateStore, type NewOrder } from './state-store.js';

const d = (text: string): Decimal => Decimal.parse(text);
const T0 = Date.UTC(2022, 0, 3, 10);

/** The exchange's HTTP API, faked: what it holds, and scripted failures per client order id. */
class FakeExchange implements ReconcileExchange {
  readonly orders = new Map<string, ExchangeOrder>();
  readonly failures = new Map<string, ExchangeResult<ExchangeOrder>[]>();
  readonly calls: string[] = [];

  hold(order: NewOrder, status: OrderStatus, filledQty: string, avgPx: string | null, fee = '0'): void {
    this.orders.set(order.clientOrderId, {
      clientOrderId: order.clientOrderId, exchangeOrderId: `ex-${this.orders.size + 1}`, symbol: order.symbol, side: order.side, type: 'limit', tif: 'GTC',
      qty: order.qty, limitPx: order.limitPx, status, filledQty: d(filledQty), filledNotional: avgPx === null ? Decimal.ZERO : d(filledQty).mul(d(avgPx)),
      avgPx: avgPx === null ? null : d(avgPx), fee: d(fee), feeCurrency: 'USDT', createdAt: T0, updatedAt: T0,
    });
  }

  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    this.calls.push(`fetch ${clientOrderId}`);
    const scripted = this.failures.get(clientOrderId)?.shift();
    if (scripted) return Promise.resolve(scripted);
    const order = this.orders.get(clientOrderId);
    return Promise.resolve(order && order.symbol === symbol ? ok(order) : failure(exchangeError.notFound(`Order does not exist: ${clientOrderId}`)));
  }

  cancelOrder(_symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    this.calls.push(`cancel ${clientOrderId}`);
    const order = this.orders.get(clientOrderId);
    if (!order) return Promise.resolve(failure(exchangeError.notFound('gone')));
    const canceled = { ...order, status: 'canceled' as const };
    this.orders.set(clientOrderId, canceled);
    return Promise.resolve(ok(canceled));
  }
}

function order(n: number, side: 'buy' | 'sell', qty: string, px: string, decision = `dec_20220103_100000_00000${n}`): NewOrder {
  const intentId = `int_000000000000000${n}`;
  return { clientOrderId: `${intentId}-1`, intentId, decisionId: decision, symbol: 'BTC/USDT', side, qty: d(qty), limitPx: d(px), ts: T0 };
}

function setup() {
  const dir = tempDir();
  const store = StateStore.open({ dataDir: dir, now: () => T0 });
  const recorder = new Recorder({ sessionId: 'session_20220103_100000', sink: new FileSink(join(dir, 'logs')) });
  return { dir, store, recorder };
}

function lines(dir: string, channel: string) {
  return readFileSync(join(dir, 'logs', `${channel}.jsonl`), 'utf8').trim().split('\n').map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(`${channel}: ${parsed.error.message}: ${text}`);
    const value: Record<string, unknown> = parsed.value;
    return value;
  });
}

describe('reconcileOpenOrders', () => {
  it('settles each open order by client order id and logs every outcome with its decision and intent', async () => {
    const { dir, store, recorder } = setup();
    store.setBalances({ USDT: d('10000') });
    const filled = order(1, 'buy', '0.1', '40000');
    const open = order(2, 'buy', '0.1', '39000');
    const lost = order(3, 'buy', '0.1', '39500');
    const flaky = order(4, 'buy', '0.1', '39600');
    for (const o of [filled, open, lost, flaky]) store.recordOrder(o);
    store.updateOrder(open.clientOrderId, { status: 'submitted' });
    store.close();

    const exchange = new FakeExchange();
    exchange.hold(filled, 'filled', '0.1', '39990', '3.999');
    exchange.hold(open, 'submitted', '0', null);
    exchange.hold(flaky, 'filled', '0.1', '39600');
    exchange.failures.set(flaky.clientOrderId, [1, 2, 3].map(() => failure(exchangeError.timeout('timed out after 5000ms', true))));

    const restarted = StateStore.open({ dataDir: dir, now: () => T0 + 60_000 });
    const report = await recoverState({ store: restarted, exchange, recorder, sleep: () => Promise.resolve(), now: () => T0 + 60_000 });
    recorder.close();

    expect(report.outcomes).toEqual({ booked_fill: 1, still_open: 1, canceled: 0, unknown: 1, not_found: 1 });
    expect(report.unresolved).toEqual([flaky.clientOrderId]);
    expect(exchange.calls.filter((c) => c === `fetch ${flaky.clientOrderId}`)).toHaveLength(3);
    const position = restarted.position('BTC/USDT');
    expect(position?.decisionId).toBe(filled.decisionId);
    expect(position?.qty.toString()).toBe('0.1');
    expect(restarted.balance('USDT').toString()).toBe('5997.001');
    expect(restarted.order(lost.clientOrderId)?.status).toBe('not_found');
    expect(restarted.openOrders().map((o) => [o.clientOrderId, o.status])).toEqual([[open.clientOrderId, 'submitted'], [flaky.clientOrderId, 'unknown']]);

    const reconciled = lines(dir, 'orders').filter((l) => l['event_type'] === 'ORDER_RECONCILED');
    expect(reconciled.map((l) => [l['client_order_id'], l['outcome'], l['decision_id'], l['intent_id']])).toEqual([
      [filled.clientOrderId, 'booked_fill', filled.decisionId, filled.intentId],
      [open.clientOrderId, 'still_open', open.decisionId, open.intentId],
      [lost.clientOrderId, 'not_found', lost.decisionId, lost.intentId],
      [flaky.clientOrderId, 'unknown', flaky.decisionId, flaky.intentId],
    ]);
    expect(reconciled[0]).toMatchObject({ booked_qty: 0.1, exchange_status: 'filled', previous_status: 'new', status: 'filled' });
    expect(reconciled[3]?.['details']).toMatch(/timeout: timed out after 5000ms/);
    expect(lines(dir, 'orders').at(-1)).toMatchObject({ event_type: 'RECONCILE_COMPLETE', checked: 4, unresolved: [flaky.clientOrderId] });
    const recovered = lines(dir, 'audit').find((l) => l['event_type'] === 'STATE_RECOVERED');
    expect(recovered).toMatchObject({ created: false, positions: [], balances: { USDT: '10000' } });
    expect((recovered?.['open_orders'] as unknown[]).length).toBe(4);
    restarted.close();
  });

  it('a second start books nothing twice and asks the exchange only about what is still unsettled', async () => {
    const { store, recorder } = setup();
    store.setBalances({ USDT: d('10000') });
    const filled = order(1, 'buy', '0.1', '40000');
    store.recordOrder(filled);
    const exchange = new FakeExchange();
    exchange.hold(filled, 'filled', '0.1', '40000');
    await reconcileOpenOrders({ store, exchange, recorder });
    const second = await reconcileOpenOrders({ store, exchange, recorder });
    expect(second.checked).toBe(0);
    expect(exchange.calls).toEqual([`fetch ${filled.clientOrderId}`]);
    expect(store.balance('USDT').toString()).toBe('6000');
    recorder.close();
    store.close();
  });

  it('books a sell that filled while down against the position, with the decision that opened it', async () => {
    const { dir, store, recorder } = setup();
    store.setBalances({ USDT: d('10000') });
    const buy = order(1, 'buy', '0.1', '40000');
    store.recordOrder(buy);
    store.applyFill({ clientOrderId: buy.clientOrderId, filledQty: d('0.1'), avgPx: d('40000'), fee: d('0'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    const sell = { ...order(2, 'sell', '0.1', '41000', buy.decisionId), exitRule: 'take_profit' as const };
    store.recordOrder(sell);
    const exchange = new FakeExchange();
    exchange.hold(sell, 'filled', '0.1', '41000', '4.1');
    const report = await reconcileOpenOrders({ store, exchange, recorder, now: () => T0 + 3_600_000 });
    recorder.close();
    expect(report.results[0]?.outcome).toBe('booked_fill');
    expect(store.position('BTC/USDT')).toBeUndefined();
    expect(store.realizedPnl('USDT').toString()).toBe('95.9');
    expect(store.lastExit('BTC/USDT')?.decisionId).toBe(buy.decisionId);
    expect(store.order(sell.clientOrderId)?.exitRule).toBe('take_profit');
    expect(lines(dir, 'orders')[0]).toMatchObject({ decision_id: buy.decisionId, intent_id: sell.intentId, outcome: 'booked_fill' });
    store.close();
  });

  it('cancels an order still open when configured, booking what filled before the cancel', async () => {
    const { store, recorder } = setup();
    store.setBalances({ USDT: d('10000') });
    const resting = order(1, 'buy', '0.2', '40000');
    store.recordOrder(resting);
    const exchange = new FakeExchange();
    exchange.hold(resting, 'partially_filled', '0.05', '40000');
    const report = await reconcileOpenOrders({ store, exchange, recorder, stillOpen: 'cancel' });
    recorder.close();
    expect(exchange.calls).toEqual([`fetch ${resting.clientOrderId}`, `cancel ${resting.clientOrderId}`]);
    expect(report.results[0]).toMatchObject({ outcome: 'canceled', status: 'canceled' });
    expect(report.results[0]?.bookedQty.toString()).toBe('0.05');
    expect(store.position('BTC/USDT')?.qty.toString()).toBe('0.05');
    expect(store.openOrders()).toEqual([]);
    store.close();
  });

  it('marks an order unknown, rather than guessing, when the exchange reports a fill the store cannot book', async () => {
    const { store, recorder } = setup();
    const buy = order(1, 'buy', '0.1', '40000');
    store.recordOrder(buy);
    const exchange = new FakeExchange();
    exchange.hold(buy, 'filled', '0.1', '40000');
    const report = await reconcileOpenOrders({ store, exchange, recorder });
    recorder.close();
    expect(report.results[0]?.outcome).toBe('unknown');
    expect(report.results[0]?.details).toMatch(/invalid_operation: .*USDT at -4000/);
    expect(store.order(buy.clientOrderId)?.status).toBe('unknown');
    expect(store.position('BTC/USDT')).toBeUndefined();
    store.close();
  });
});
