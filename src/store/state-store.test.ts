import { describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { LATEST_SCHEMA_VERSION } from './migrations.js';
import { StateStore, type NewOrder } from './state-store.js';
import { StoreError } from './store-error.js';

const d = (text: string): Decimal => Decimal.parse(text);
const T0 = Date.UTC(2022, 0, 3, 10, 0, 0);

function buyOrder(id: string, qty = '0.01', px = '45000'): NewOrder {
  return { clientOrderId: `int_00000000000000${id}-1`, intentId: `int_00000000000000${id}`, decisionId: `dec_20220103_100000_0000${id}`, symbol: 'BTC/USDT', side: 'buy', qty: d(qty), limitPx: d(px), ts: T0 };
}

function sellOrder(id: string, decisionId: string, qty: string, px: string): NewOrder {
  return { clientOrderId: `int_00000000000000${id}-1`, intentId: `int_00000000000000${id}`, decisionId, symbol: 'BTC/USDT', side: 'sell', qty: d(qty), limitPx: d(px), exitRule: 'take_profit', ts: T0 };
}

function openStore(dataDir: string): StateStore {
  return StateStore.open({ dataDir, now: () => T0 });
}

/** A store holding 1000 USDT: where every booking test starts. */
function fundedStore(dataDir: string): StateStore {
  const store = openStore(dataDir);
  store.setBalances({ USDT: d('1000') });
  return store;
}

describe('StateStore', () => {
  it('creates state.sqlite in WAL mode with decimals stored as exact TEXT', () => {
    const dir = tempDir();
    const store = openStore(dir);
    expect(store.created).toBe(true);
    expect(store.path).toBe(join(dir, 'state.sqlite'));
    store.setBalances({ USDT: d('1000.123456789012345678') });
    store.close();
    const raw = new Database(join(dir, 'state.sqlite'), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT amount, typeof(amount) AS t FROM balances').get()).toEqual({ amount: '1000.123456789012345678', t: 'text' });
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    raw.close();
  });

  it('opens a position on a buy fill, books balances and fees in one transaction, and recovers it after reopening', () => {
    const dir = tempDir();
    let store = fundedStore(dir);
    const order = buyOrder('01');
    store.recordOrder(order);
    expect(store.openOrders().map((o) => o.status)).toEqual(['new']);
    store.updateOrder(order.clientOrderId, { status: 'submitted', exchangeOrderId: 'x-1' });
    const result = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.01'), avgPx: d('45000'), fee: d('0.45'), feeCurrency: 'USDT', status: 'filled', ts: T0 + 1000 });
    expect(result.positionChange).toBe('opened');
    expect(result.position?.decisionId).toBe(order.decisionId);
    expect(store.balance('USDT').toString()).toBe('549.55');
    expect(store.balance('BTC').toString()).toBe('0.01');
    expect(store.openOrders()).toEqual([]);
    store.close();

    store = openStore(dir);
    expect(store.created).toBe(false);
    const position = store.position('BTC/USDT');
    expect(position?.decisionId).toBe(order.decisionId);
    expect(position?.qty.toString()).toBe('0.01');
    expect(position?.entryPx.toString()).toBe('45000');
    expect(position?.entryFees.toString()).toBe('0.45');
    expect(store.order(order.clientOrderId)?.status).toBe('filled');
    expect(store.order(order.clientOrderId)?.exchangeOrderId).toBe('x-1');
    store.close();
  });

  it('adds to a position at a weighted entry, then closes it with realized PnL net of both fees, per day and per symbol exit', () => {
    const store = openStore(tempDir());
    store.setBalances({ USDT: d('10000') });
    const a = buyOrder('01', '1', '100');
    const b = buyOrder('02', '1', '110');
    store.recordOrder(a);
    store.applyFill({ clientOrderId: a.clientOrderId, filledQty: d('1'), avgPx: d('100'), fee: d('0.1'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    store.recordOrder(b);
    const added = store.applyFill({ clientOrderId: b.clientOrderId, filledQty: d('1'), avgPx: d('110'), fee: d('0.11'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    expect(added.positionChange).toBe('added');
    expect(added.position?.entryPx.toString()).toBe('105');
    // A buy of another decision makes the position its trade (the engine buys over a position only
    // when it is a remainder no order can sell): the sells are b's, and so is the exit.
    expect(added.position?.decisionId).toBe(b.decisionId);

    const s1 = sellOrder('03', b.decisionId, '0.5', '120');
    store.recordOrder(s1);
    const partial = store.applyFill({ clientOrderId: s1.clientOrderId, filledQty: d('0.5'), avgPx: d('120'), fee: d('0.06'), feeCurrency: 'USDT', status: 'filled', ts: T0 + 60_000 });
    // 0.5 x (120 - 105) - 0.06 sell fee - a quarter of the 0.21 entry fees
    expect(partial.realizedPnl.toString()).toBe('7.3875');
    expect(partial.positionChange).toBe('reduced');

    const s2 = sellOrder('04', b.decisionId, '1.5', '90');
    store.recordOrder(s2);
    const closing = store.applyFill({ clientOrderId: s2.clientOrderId, filledQty: d('1.5'), avgPx: d('90'), fee: d('0.135'), feeCurrency: 'USDT', status: 'filled', ts: Date.UTC(2022, 0, 4, 1) });
    expect(closing.positionChange).toBe('closed');
    // 1.5 x (90 - 105) - 0.135 - the remaining 0.1575 of entry fees
    expect(closing.realizedPnl.toString()).toBe('-22.7925');
    expect(store.position('BTC/USDT')).toBeUndefined();
    expect(store.realizedPnl('USDT', '2022-01-03').toString()).toBe('7.3875');
    expect(store.realizedPnl('USDT', Date.UTC(2022, 0, 4, 5)).toString()).toBe('-22.7925');
    expect(store.realizedPnl('USDT').toString()).toBe('-15.405');
    expect(store.lastExit('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', exitedAt: Date.UTC(2022, 0, 4, 1), decisionId: b.decisionId });
    // cash check: 10000 - 100.1 - 110.11 + 59.94 + 134.865 = 9984.595 = 10000 + total PnL
    expect(store.balance('USDT').toString()).toBe('9984.595');
    expect(store.balance('BTC').isZero()).toBe(true);
    expect(store.dailyPnl('2022-01-04', 'USDT')?.closedTrades).toBe(1);
    expect(store.feesPaid('USDT').toString()).toBe('0.405');
    store.close();
  });

  it('books a cumulative report once: the same fill applied twice changes nothing the second time', () => {
    const store = fundedStore(tempDir());
    const order = buyOrder('01', '0.02');
    store.recordOrder(order);
    store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.01'), avgPx: d('45000'), fee: d('0.45'), feeCurrency: 'USDT', status: 'partially_filled', ts: T0 });
    const again = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.01'), avgPx: d('45000'), fee: d('0.45'), feeCurrency: 'USDT', status: 'partially_filled', ts: T0 });
    expect(again.bookedQty.isZero()).toBe(true);
    const rest = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.02'), avgPx: d('45500'), fee: d('0.91'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    expect(rest.bookedQty.toString()).toBe('0.01');
    expect(rest.fillPx.toString()).toBe('46000');
    expect(store.position('BTC/USDT')?.qty.toString()).toBe('0.02');
    expect(store.balance('USDT').toString()).toBe('89.09');
    store.close();
  });

  it('values a base-currency fee at the fill price and keeps the net quantity', () => {
    const store = fundedStore(tempDir());
    const order = buyOrder('01', '1', '100');
    store.recordOrder(order);
    const r = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('1'), avgPx: d('100'), fee: d('0.001'), feeCurrency: 'BTC', status: 'filled', ts: T0 });
    expect(r.position?.qty.toString()).toBe('0.999');
    expect(r.feeQuote.toString()).toBe('0.1');
    expect(store.balance('BTC').toString()).toBe('0.999');
    expect(store.balance('USDT').toString()).toBe('900');
    store.close();
  });

  it('a fee reported with nothing filled opens no position: it is booked as a realized loss of the day', () => {
    const dir = tempDir();
    const store = fundedStore(dir);
    const order = buyOrder('01');
    store.recordOrder(order);
    const r = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0'), avgPx: d('45000'), fee: d('0.45'), feeCurrency: 'USDT', status: 'canceled', ts: T0 });
    expect(r.positionChange).toBe('none');
    expect(r.position).toBeUndefined();
    expect(store.position('BTC/USDT')).toBeUndefined();
    expect(store.balance('USDT').toString()).toBe('999.55');
    expect(store.realizedPnl('USDT', T0).toString()).toBe('-0.45');
    store.close();
    const reopened = openStore(dir);
    expect(reopened.position('BTC/USDT')).toBeUndefined();
    expect(reopened.realizedPnl('USDT', T0).toString()).toBe('-0.45');
    reopened.close();
  });

  it('refuses a buy whose base-currency fee exceeds what it delivers, booking nothing', () => {
    const store = fundedStore(tempDir());
    const order = buyOrder('01', '1', '100');
    store.recordOrder(order);
    const attempt = () => store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.001'), avgPx: d('100'), fee: d('0.002'), feeCurrency: 'BTC', status: 'filled', ts: T0 });
    expect(attempt).toThrow(/fee of 0.002 BTC exceeds the 0.001 BTC held/);
    expect(store.position('BTC/USDT')).toBeUndefined();
    expect(store.balance('USDT').toString()).toBe('1000');
    expect(store.order(order.clientOrderId)?.status).toBe('new');
    store.close();
  });

  it('books a base-currency fee reported after its fill out of the open position', () => {
    const store = fundedStore(tempDir());
    const order = buyOrder('01', '1', '100');
    store.recordOrder(order);
    store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('1'), avgPx: d('100'), fee: d('0'), feeCurrency: 'BTC', status: 'partially_filled', ts: T0 });
    const late = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('1'), avgPx: d('100'), fee: d('0.001'), feeCurrency: 'BTC', status: 'filled', ts: T0 });
    expect(late.positionChange).toBe('added');
    expect(store.position('BTC/USDT')?.qty.toString()).toBe('0.999');
    expect(store.balance('BTC').toString()).toBe('0.999');
    store.close();
  });

  it('refuses a second order with the same client order id, across a restart', () => {
    const dir = tempDir();
    let store = openStore(dir);
    store.recordOrder(buyOrder('01'));
    store.close();
    store = openStore(dir);
    expect(() => store.recordOrder(buyOrder('01'))).toThrow(expect.objectContaining({ code: 'duplicate_order' }) as Error);
    store.close();
  });

  it('refuses an exit rule it could not read back at the next start, and writes nothing', () => {
    const dir = tempDir();
    let store = openStore(dir);
    // Only an untyped caller can pass this; the row is not read back, so the check comes first.
    const order = { ...sellOrder('01', 'dec_20220103_100000_000001', '0.01', '45000'), exitRule: 'trailing' } as unknown as NewOrder;
    expect(() => store.recordOrder(order)).toThrow(expect.objectContaining({ code: 'invalid_operation' }) as Error);
    expect(store.order(order.clientOrderId)).toBeUndefined();
    store.close();
    store = openStore(dir);
    expect(store.openOrders()).toEqual([]);
    store.close();
  });

  it('rolls back a fill that would overdraw a balance, leaving order, position and balances as they were', () => {
    const store = openStore(tempDir());
    store.setBalances({ USDT: d('100') });
    const order = buyOrder('01');
    store.recordOrder(order);
    const attempt = () => store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.01'), avgPx: d('45000'), fee: d('0'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    expect(attempt).toThrow(StoreError);
    expect(attempt).toThrow(/USDT at -350/);
    expect(store.order(order.clientOrderId)?.status).toBe('new');
    expect(store.position('BTC/USDT')).toBeUndefined();
    expect(store.balance('USDT').toString()).toBe('100');
    expect(store.balance('BTC').isZero()).toBe(true);
    store.close();
  });

  it('enforces the order state machine', () => {
    const store = openStore(tempDir());
    const order = buyOrder('01');
    store.recordOrder(order);
    store.updateOrder(order.clientOrderId, { status: 'canceled' });
    expect(() => store.updateOrder(order.clientOrderId, { status: 'submitted' })).toThrow(/cannot go from canceled to submitted/);
    expect(() => store.updateOrder('int_ffffffffffffffff-1', { status: 'submitted' })).toThrow(expect.objectContaining({ code: 'invalid_operation' }) as Error);
    store.close();
  });

  it('writes the trailing-stop peak only on a new high and keeps it across a restart', () => {
    const dir = tempDir();
    let store = fundedStore(dir);
    const order = buyOrder('01');
    store.recordOrder(order);
    store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.01'), avgPx: d('45000'), fee: d('0'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    expect(store.updatePeak('BTC/USDT', d('44000'))).toBe(false);
    expect(store.updatePeak('BTC/USDT', d('46000.5'))).toBe(true);
    store.close();
    store = openStore(dir);
    expect(store.position('BTC/USDT')?.peakPx.toString()).toBe('46000.5');
    store.close();
    expect(() => store.balances() && store.order('x')).toThrow(expect.objectContaining({ code: 'closed' }) as Error);
  });

  /** A store holding a BTC/USDT position bought at 45000, writing raised peaks at most every `peakPersistMs`. */
  function storeWithPosition(peakPersistMs: number): { store: StateStore; order: NewOrder; stored: () => string } {
    const dir = tempDir();
    const store = StateStore.open({ dataDir: dir, now: () => T0, exclusive: false, peakPersistMs });
    const stored = (): string => {
      const raw = new Database(join(dir, 'state.sqlite'), { readonly: true });
      const row = raw.prepare("SELECT peak_px FROM positions WHERE symbol = 'BTC/USDT'").get() as { peak_px: string };
      raw.close();
      return row.peak_px;
    };
    store.setBalances({ USDT: d('1000') });
    const order = buyOrder('01');
    store.recordOrder(order);
    store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('0.01'), avgPx: d('45000'), fee: d('0'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    return { store, order, stored };
  }

  it('persists raised peaks at a bounded rate, and a fill writes the newest peak with the position', () => {
    const { store, order, stored } = storeWithPosition(60_000);
    expect(store.updatePeak('BTC/USDT', d('46000'))).toBe(true);
    expect(stored()).toBe('46000');
    expect(store.updatePeak('BTC/USDT', d('47000'))).toBe(true);
    expect(store.position('BTC/USDT')?.peakPx.toString()).toBe('47000');
    expect(stored()).toBe('46000');
    const sell = sellOrder('02', order.decisionId, '0.005', '47000');
    store.recordOrder(sell);
    store.applyFill({ clientOrderId: sell.clientOrderId, filledQty: d('0.005'), avgPx: d('47000'), fee: d('0'), feeCurrency: 'USDT', status: 'filled', ts: T0 });
    expect(stored()).toBe('47000');
    expect(store.updatePeak('BTC/USDT', d('48000'))).toBe(true);
    store.close();
    expect(stored()).toBe('48000');
  });

  it('paces peak writes on the monotonic clock: a wall clock set back an hour does not hold them back for that hour', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    try {
      const { store, stored } = storeWithPosition(1000);
      expect(store.updatePeak('BTC/USDT', d('46000'))).toBe(true);
      expect(stored()).toBe('46000');
      vi.setSystemTime(Date.now() - 3_600_000);
      vi.advanceTimersByTime(1500);
      expect(store.updatePeak('BTC/USDT', d('47000'))).toBe(true);
      expect(stored()).toBe('47000');
      store.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets the WAL grow past SQLite\'s 1 MB default between checkpoints, and folds it into the file at close', () => {
    const dir = tempDir();
    let store = openStore(dir);
    const wal = join(dir, 'state.sqlite-wal');
    let orders = 0;
    // Each recorded order commits a few 1 KB pages: well past 1,000 pages, a default checkpoint
    // would have started the WAL over and kept it near 1 MB.
    while (orders < 3000 && statSync(wal).size < 3 * 1024 * 1024) store.recordOrder(buyOrder(String(++orders).padStart(4, '0')));
    expect(statSync(wal).size).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    store.close();
    expect(existsSync(wal)).toBe(false);
    store = openStore(dir);
    expect(store.openOrders()).toHaveLength(orders);
    store.close();
  });
});
