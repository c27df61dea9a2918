import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import { ok } from '../domain/result.js';
import type { ExchangeResult } from '../execution/exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { StateStore } from '../store/state-store.js';
import { StoreSyncedExchange } from './store-synced-exchange.js';

const d = (text: string): Decimal => Decimal.parse(text);
const HOUR = 3_600_000;
const DAY1 = Date.UTC(2022, 0, 3);
const DAY2 = DAY1 + 24 * HOUR;
const DAY3 = DAY2 + 24 * HOUR;

/** An exchange whose orders rest when placed; the test then fills them, at the exchange's own time. */
class RestingExchange implements Exchange {
  readonly name = 'resting';
  private readonly orders = new Map<string, ExchangeOrder>();
  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return Promise.resolve(ok([]));
  }
  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return Promise.resolve(ok([]));
  }
  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    const order: ExchangeOrder = {
      clientOrderId: request.clientOrderId, exchangeOrderId: `x-${request.clientOrderId}`, symbol: request.symbol, side: request.side, type: 'limit', tif: 'GTC',
      qty: request.qty, limitPx: request.type === 'limit' ? request.limitPx : null, status: 'new', filledQty: Decimal.ZERO, filledNotional: Decimal.ZERO, avgPx: null,
      fee: Decimal.ZERO, feeCurrency: 'USDT', createdAt: DAY1, updatedAt: DAY1,
    };
    this.orders.set(request.clientOrderId, order);
    return Promise.resolve(ok(order));
  }
  /** A fill of qty at px, reported cumulatively as an exchange does; avgPx rounded to 18 places. */
  fill(clientOrderId: string, qty: string, px: string, fee: string, at: number): void {
    const order = this.orders.get(clientOrderId);
    if (!order) throw new Error(`no order ${clientOrderId}`);
    const filledQty = order.filledQty.add(d(qty));
    const filledNotional = order.filledNotional.add(d(qty).mul(d(px)));
    this.orders.set(clientOrderId, {
      ...order, filledQty, filledNotional, avgPx: filledNotional.div(filledQty, 18), fee: order.fee.add(d(fee)), updatedAt: at,
      status: filledQty.eq(order.qty) ? 'filled' : 'partially_filled',
    });
  }
  fetchOrderByClientId(_symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    const order = this.orders.get(clientOrderId);
    if (!order) throw new Error(`no order ${clientOrderId}`);
    return Promise.resolve(ok(order));
  }
  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.fetchOrderByClientId(symbol, clientOrderId);
  }
}

function harness() {
  const clock = { now: DAY1 };
  const store = StateStore.open({ dataDir: tempDir('tradetrace-store-synced-'), now: () => clock.now });
  store.setBalances({ USDT: d('1000') });
  const venue = new RestingExchange();
  const exchange = new StoreSyncedExchange(venue, store, () => clock.now);
  const place = (id: string, side: 'buy' | 'sell', qty: string, px: string): Promise<ExchangeResult<ExchangeOrder>> =>
    withDecision(`dec_20220103_000000_00000${id}`, () => withIntent(`int_000000000000000${id}`, () =>
      exchange.placeOrder({ clientOrderId: `int_000000000000000${id}-1`, symbol: 'BTC/USDT', side, type: 'limit', qty: d(qty), limitPx: d(px), tif: 'GTC' })));
  return { clock, store, venue, exchange, place };
}

describe('StoreSyncedExchange', () => {
  it('books a fill found late at the time the exchange filled it: the position\'s opening, the day of its PnL and the exit time', async () => {
    const { clock, store, venue, exchange, place } = harness();
    await place('1', 'buy', '1', '100');
    const buy = 'int_0000000000000001-1';
    // Filled just before midnight; the bot looks it up the next morning.
    venue.fill(buy, '1', '100', '0.1', DAY2 - 60_000);
    clock.now = DAY2 + 5 * HOUR;
    await exchange.fetchOrderByClientId('BTC/USDT', buy);
    expect(store.position('BTC/USDT')?.openedAt).toBe(DAY2 - 60_000);

    await place('2', 'sell', '1', '110');
    const sell = 'int_0000000000000002-1';
    venue.fill(sell, '1', '110', '0.11', DAY3 - 60_000);
    clock.now = DAY3 + 5 * HOUR;
    await exchange.fetchOrderByClientId('BTC/USDT', sell);
    expect(store.positions()).toEqual([]);
    expect(store.lastExit('BTC/USDT')?.exitedAt).toBe(DAY3 - 60_000);
    // 110 - 100 - 0.1 - 0.11: realized on the day the sale happened, not the day it was found.
    expect(store.realizedPnl('USDT', DAY2).toString()).toBe('9.79');
    expect(store.realizedPnl('USDT', DAY3).isZero()).toBe(true);
    store.close();
  });

  it('books the exchange\'s exact notional, not qty x its rounded average price, when an order fills at several prices', async () => {
    const { store, venue, exchange, place } = harness();
    await place('3', 'buy', '3', '1');
    const buy = 'int_0000000000000003-1';
    // 1 @ 0.3 + 2 @ 0.35 = 1.0 for 3: the average 0.333... has no finite decimal.
    venue.fill(buy, '1', '0.3', '0', DAY1);
    await exchange.fetchOrderByClientId('BTC/USDT', buy);
    venue.fill(buy, '2', '0.35', '0', DAY1);
    await exchange.fetchOrderByClientId('BTC/USDT', buy);
    expect(store.balance('USDT').toString()).toBe('999');
    expect(store.order(buy)?.filledNotional.toString()).toBe('1');
    store.close();
  });

  it('hands every booking not yet taken over as one increment, and each only once', async () => {
    const { venue, exchange, place } = harness();
    await place('4', 'buy', '3', '1');
    const buy = 'int_0000000000000004-1';
    expect(exchange.takeFill(buy), 'the placement filled nothing').toBeUndefined();
    venue.fill(buy, '1', '0.3', '0.001', DAY1);
    await exchange.fetchOrderByClientId('BTC/USDT', buy);
    venue.fill(buy, '1', '0.4', '0.002', DAY1);
    await exchange.fetchOrderByClientId('BTC/USDT', buy);
    const both = exchange.takeFill(buy);
    expect([both?.bookedQty.toString(), both?.bookedNotional.toString(), both?.bookedFee.toString(), both?.fillPx.toString()]).toEqual(['2', '0.7', '0.003', '0.35']);
    expect(exchange.takeFill(buy), 'taken once').toBeUndefined();
    venue.fill(buy, '1', '0.5', '0.004', DAY1);
    await exchange.fetchOrderByClientId('BTC/USDT', buy);
    const last = exchange.takeFill(buy);
    expect([last?.bookedQty.toString(), last?.bookedFee.toString(), last?.fillPx.toString()]).toEqual(['1', '0.004', '0.5']);
  });
});
