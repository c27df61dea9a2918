import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { marketRulesOrThrow } from '../domain/market-rules.js';
import { ok } from '../domain/result.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder } from '../execution/exchange.js';
import { PaperExchange } from '../execution/paper/paper-exchange.js';
import { FileSink } from '../recorder/file-sink.js';
import { parseLine } from '../recorder/line-parser.js';
import { Recorder } from '../recorder/recorder.js';
import type { ReconcileExchange } from './reconcile.js';
import { recoverState } from './recover-state.js';
import { StateStore, type NewOrder } from './state-store.js';

const d = (text: string): Decimal => Decimal.parse(text);
/** The buy fills on 2022-01-03 10:00; the exit sell 37,620 s later, the same day; the bot restarts two days on. */
const BOUGHT = Date.UTC(2022, 0, 3, 10);
const SOLD = BOUGHT + 37_620_000;
const RESTART = Date.UTC(2022, 0, 5, 8);
const SYMBOL = 'BTC/USDT';
const DECISION = 'dec_20220103_100000_0000b1';
const rules = marketRulesOrThrow({ baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', lotSize: '0.00001', minQty: '0.00001', minNotional: '5', makerFeeRate: '0.001', takerFeeRate: '0.001' });

function candle(openTime: number, px: string) {
  return { openTime, open: d(px), high: d(px), low: d(px), close: d(px), volume: d('1000') };
}

/** Decimal fields parse to numbers here; the values compared are exact in binary or short enough to print back exactly. */
function lines(dir: string, channel: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'logs', `${channel}.jsonl`), 'utf8').trim().split('\n').map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(`${channel}: ${parsed.error.message}: ${text}`);
    const value: Record<string, unknown> = parsed.value;
    return value;
  });
}

/** An order the bot recorded and sent, whose answer it never heard (killed, or the router gave up). */
async function sendUnheard(store: StateStore, exchange: PaperExchange, n: number, side: 'buy' | 'sell', limit: string, at: number): Promise<ExchangeOrder> {
  const order: NewOrder = {
    clientOrderId: `int_00000000000000b${n}-1`, intentId: `int_00000000000000b${n}`, decisionId: DECISION, symbol: SYMBOL, side, qty: d('0.01'), limitPx: d(limit), ts: at,
    ...(side === 'sell' ? { exitRule: 'take_profit' as const } : {}),
  };
  store.recordOrder(order);
  const placed = await exchange.placeOrder({ clientOrderId: order.clientOrderId, symbol: SYMBOL, side, qty: order.qty, type: 'limit', limitPx: order.limitPx, tif: 'IOC' });
  if (!placed.ok) throw new Error(placed.error.message);
  expect([placed.value.status, placed.value.updatedAt]).toEqual(['filled', at]);
  return placed.value;
}

function setup() {
  const dir = tempDir('tradetrace-reconcile-fill-time-');
  const exchange = new PaperExchange({ markets: [{ rules }], balances: { USDT: d('10000') }, sleep: () => Promise.resolve() });
  const store = StateStore.open({ dataDir: dir, now: () => BOUGHT });
  store.setBalances({ USDT: d('10000') });
  return { dir, exchange, store };
}

async function restart(dir: string, exchange: ReconcileExchange) {
  const store = StateStore.open({ dataDir: dir, now: () => RESTART });
  const recorder = new Recorder({ sessionId: 'session_20220105_080000', sink: new FileSink(join(dir, 'logs')), now: () => RESTART });
  const report = await recoverState({ store, exchange, recorder, sleep: () => Promise.resolve(), now: () => RESTART });
  recorder.close();
  return { store, report };
}

describe('a fill restart reconciliation books is logged with its money and booked at the exchange\'s fill time', () => {
  it('an exit sell filled while the bot was down: ORDER_RECONCILED with price, fee and PnL, a SELL_FILLED, and the PnL on the day it was sold', async () => {
    const { dir, exchange, store } = setup();
    exchange.onCandle(SYMBOL, candle(BOUGHT, '45000'));
    const buy = await sendUnheard(store, exchange, 1, 'buy', '45100', BOUGHT);
    // The session that bought heard that answer and booked it.
    store.applyFill({ clientOrderId: buy.clientOrderId, filledQty: buy.filledQty, avgPx: buy.avgPx ?? d('0'), fee: buy.fee, feeCurrency: buy.feeCurrency, status: 'filled', exchangeOrderId: buy.exchangeOrderId, ts: BOUGHT });
    exchange.onCandle(SYMBOL, candle(SOLD, '46000'));
    const sell = await sendUnheard(store, exchange, 2, 'sell', '45900', SOLD);
    // The sell's answer was lost: the router gave up on it a minute later, and the bot was killed.
    store.updateOrder(sell.clientOrderId, { status: 'unknown', ts: SOLD + 60_000 });
    const usdtBefore = store.balance('USDT');
    store.close();

    const { store: restarted, report } = await restart(dir, exchange);
    const realized = restarted.realizedPnl('USDT');
    // Sold 0.01 at 46000 (fee 0.46), bought at 45000 (fee 0.45): +10 - 0.91.
    expect(realized.toString()).toBe('9.09');
    expect(report.realizedPnl).toEqual(new Map([['USDT', d('9.09')]]));
    expect(report.exitsFilled).toBe(1);

    const orders = lines(dir, 'orders').filter((l) => l['session_id'] === 'session_20220105_080000');
    expect(orders.map((l) => l['event_type'])).toEqual(['ORDER_RECONCILED', 'SELL_FILLED', 'RECONCILE_COMPLETE']);
    const [reconciled, sold] = orders;
    expect(reconciled).toMatchObject({
      decision_id: DECISION, intent_id: 'int_00000000000000b2', outcome: 'booked_fill', side: 'sell', filled_qty: 0.01, avg_px: 46000, fee: 0.46, fee_currency: 'USDT',
      booked_qty: 0.01, booked_notional: 460, booked_fee: 0.46, realized_pnl: 9.09, filled_at: '2022-01-03T20:27:00.000Z',
    });
    expect(sold).toMatchObject({
      decision_id: DECISION, intent_id: 'int_00000000000000b2', symbol: SYMBOL, rule: 'take_profit', qty: 0.01, avg_px: 46000, entry_px: 45000, fee: 0.46, realized_pnl: 9.09, holding_s: 37_620,
    });
    // The logs alone account for the money: what the quote balance moved by is on the line.
    expect(restarted.balance('USDT').sub(usdtBefore).toString()).toBe(d(String(reconciled?.['booked_notional'])).sub(d(String(reconciled?.['booked_fee']))).toString());

    // Booked on the day the exchange sold it, not the restart's.
    expect(restarted.dailyPnl('2022-01-03', 'USDT')?.realizedPnl.toString()).toBe('9.09');
    expect(restarted.dailyPnl('2022-01-05', 'USDT')).toBeUndefined();
    expect(restarted.lastExit(SYMBOL)?.exitedAt).toBe(SOLD);
    expect(restarted.order(sell.clientOrderId)).toMatchObject({ status: 'filled', updatedAt: SOLD });
    expect(restarted.positions()).toEqual([]);
    restarted.close();
  });

  it('a buy filled while the bot was down opens its position at the exchange\'s fill time (the max-holding clock), with no BUY_FILLED', async () => {
    const { dir, exchange, store } = setup();
    exchange.onCandle(SYMBOL, candle(BOUGHT, '45000'));
    const buy = await sendUnheard(store, exchange, 3, 'buy', '45100', BOUGHT);
    store.close(); // killed before the answer was booked

    const { store: restarted, report } = await restart(dir, exchange);
    expect(report.results.map((r) => [r.clientOrderId, r.outcome, r.bookedQty.toString()])).toEqual([[buy.clientOrderId, 'booked_fill', '0.01']]);
    const position = restarted.position(SYMBOL);
    expect([position?.qty.toString(), position?.decisionId, position?.openedAt]).toEqual(['0.01', DECISION, BOUGHT]);
    expect(restarted.dailyPnl('2022-01-03', 'USDT')?.fees.toString()).toBe('0.45');
    expect(restarted.dailyPnl('2022-01-05', 'USDT')).toBeUndefined();
    expect(report.realizedPnl.size).toBe(0);
    expect(report.exitsFilled).toBe(0);

    const orders = lines(dir, 'orders').filter((l) => l['session_id'] === 'session_20220105_080000');
    expect(orders.map((l) => l['event_type'])).toEqual(['ORDER_RECONCILED', 'RECONCILE_COMPLETE']);
    expect(orders[0]).toMatchObject({
      decision_id: DECISION, intent_id: 'int_00000000000000b3', side: 'buy', avg_px: 45000, fee: 0.45, booked_qty: 0.01, booked_notional: 450, booked_fee: 0.45,
      realized_pnl: 0, filled_at: '2022-01-03T10:00:00.000Z',
    });
    restarted.close();
  });
});

/** An exchange that filled an order at several prices: its average is rounded, its notional exact. */
class SplitPriceExchange implements ReconcileExchange {
  constructor(private readonly order: ExchangeOrder) {}
  fetchOrderByClientId(_symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.resolve(clientOrderId === this.order.clientOrderId ? ok(this.order) : failure(exchangeError.notFound(clientOrderId)));
  }
  cancelOrder(): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.resolve(failure(exchangeError.notFound('not asked')));
  }
}

describe('the money reconciliation books is the exchange\'s exact notional, not qty x a rounded average', () => {
  const clientOrderId = 'int_00000000000000b4-1';
  // 1 at 3.33 and 2 at 3.335: 10 exactly, an average of 3.3333... that 18 places cannot hold.
  const reported = (status: 'filled' | 'partially_filled', qty: string): ExchangeOrder => ({
    clientOrderId, exchangeOrderId: 'ex-4', symbol: SYMBOL, side: 'buy', type: 'limit', tif: 'GTC', qty: d(qty), limitPx: d('3.34'), status,
    filledQty: d('3'), filledNotional: d('10'), avgPx: d('10').div(d('3')), fee: d('0'), feeCurrency: 'USDT', createdAt: BOUGHT, updatedAt: BOUGHT + 120_000,
  });
  const record = (store: StateStore, qty: string) =>
    store.recordOrder({ clientOrderId, intentId: 'int_00000000000000b4', decisionId: DECISION, symbol: SYMBOL, side: 'buy', qty: d(qty), limitPx: d('3.34'), ts: BOUGHT });

  it('a fill found at restart moves the quote balance by exactly the notional the exchange reports', async () => {
    const { dir, store } = setup();
    record(store, '3');
    store.close();
    const { store: restarted } = await restart(dir, new SplitPriceExchange(reported('filled', '3')));
    expect(restarted.balance('USDT').toString()).toBe('9990');
    expect(restarted.order(clientOrderId)?.filledNotional.toString()).toBe('10');
    restarted.close();
  });

  it('a fill booked before the restart, reported again, moves no sliver of money', async () => {
    const { dir, store } = setup();
    record(store, '4');
    store.applyFill({ clientOrderId, filledQty: d('3'), avgPx: d('10').div(d('3')), filledNotional: d('10'), fee: d('0'), feeCurrency: 'USDT', status: 'partially_filled', ts: BOUGHT + 120_000 });
    store.close();
    const { store: restarted, report } = await restart(dir, new SplitPriceExchange(reported('partially_filled', '4')));
    expect(report.results.map((r) => [r.outcome, r.bookedQty.toString()])).toEqual([['still_open', '0']]);
    expect(restarted.balance('USDT').toString()).toBe('9990');
    expect(restarted.order(clientOrderId)?.filledNotional.toString()).toBe('10');
    restarted.close();
  });
});
