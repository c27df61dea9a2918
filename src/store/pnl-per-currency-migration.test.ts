import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { MIGRATIONS } from './migrations.js';
import { openDatabase } from './open-database.js';
import { StateStore } from './state-store.js';

const d = (text: string): Decimal => Decimal.parse(text);
const at = (day: number, hour: number): number => Date.UTC(2022, 0, day, hour);

interface OldPosition {
  readonly id: number;
  readonly symbol: string;
  readonly open: boolean;
  readonly realized: string;
  readonly fees: string;
  readonly openedAt: number;
  readonly closedAt?: number;
  readonly orders: readonly { side: 'buy' | 'sell'; qty: string; fee: string; feeCurrency: string; at: number }[];
}

/**
 * A state file as the schema-2 code left it: created by the released migrations 1 and 2, its rows
 * written as that code's bookings wrote them (one realized_pnl_daily row per day, every currency in it).
 */
function schema2File(dir: string, positions: readonly OldPosition[], days: readonly [day: string, realized: string, fees: string, trades: number][]): void {
  const { db } = openDatabase(join(dir, 'state.sqlite'), { migrations: MIGRATIONS.slice(0, 2), now: () => at(1, 0) });
  const insertPosition = db.prepare(`INSERT INTO positions (id, symbol, status, qty, entry_px, entry_cost, entry_fees, fees_paid, realized_pnl, peak_px, decision_id, opened_at, updated_at, closed_at)
    VALUES (@id, @symbol, @status, @qty, '1', @cost, '0', @fees, @realized, '1', @decision, @opened, @updated, @closed)`);
  const insertOrder = db.prepare(`INSERT INTO orders (client_order_id, intent_id, decision_id, symbol, side, qty, limit_px, status, exit_rule, exchange_order_id, filled_qty, filled_notional, fee_booked, fee_currency, created_at, updated_at)
    VALUES (@id, @intent, @decision, @symbol, @side, @qty, '1', 'filled', NULL, NULL, @qty, @qty, @fee, @feeCurrency, @at, @at)`);
  for (const p of positions) {
    const decision = `dec_20220101_000000_00000${p.id}`;
    const held = p.orders.reduce((sum, o) => (o.side === 'buy' ? sum.add(d(o.qty)) : sum.sub(d(o.qty))), Decimal.ZERO).toString();
    insertPosition.run({
      id: p.id, symbol: p.symbol, status: p.open ? 'open' : 'closed', qty: held, cost: held, fees: p.fees, realized: p.realized, decision,
      opened: p.openedAt, updated: p.closedAt ?? p.openedAt, closed: p.closedAt ?? null,
    });
    p.orders.forEach((o, i) => insertOrder.run({ id: `int_00000000000000${p.id}${i}-1`, intent: `int_00000000000000${p.id}${i}`, decision, symbol: p.symbol, side: o.side, qty: o.qty, fee: o.fee, feeCurrency: o.feeCurrency, at: o.at }));
  }
  const insertDay = db.prepare('INSERT INTO realized_pnl_daily (day, realized_pnl, fees, closed_trades) VALUES (?, ?, ?, ?)');
  for (const day of days) insertDay.run(...day);
  db.close();
}

function dailyRows(dir: string): { day: string; currency: string; realized_pnl: string; fees: string; closed_trades: number }[] {
  const raw = new Database(join(dir, 'state.sqlite'), { readonly: true });
  try {
    return raw.prepare('SELECT day, currency, realized_pnl, fees, closed_trades FROM realized_pnl_daily ORDER BY day, currency').all() as ReturnType<typeof dailyRows>;
  } finally {
    raw.close();
  }
}

// BTC/USD traded on the 2nd and 3rd, UNITTEST/BTC from the 3rd to the 4th (sold in two parts, one
// each day), ETH/USDT from the 5th to the 6th while a BTC/USD position opened on the 5th.
const POSITIONS: readonly OldPosition[] = [
  { id: 1, symbol: 'BTC/USD', open: false, realized: '-0.7470695', fees: '0.0945695', openedAt: at(2, 0), closedAt: at(2, 4), orders: [
    { side: 'buy', qty: '0.001', fee: '0.047', feeCurrency: 'USD', at: at(2, 0) }, { side: 'sell', qty: '0.001', fee: '0.0475695', feeCurrency: 'USD', at: at(2, 4) }] },
  { id: 2, symbol: 'BTC/USD', open: false, realized: '0.256705', fees: '0.094295', openedAt: at(3, 1), closedAt: at(3, 5), orders: [
    { side: 'buy', qty: '0.001', fee: '0.047', feeCurrency: 'USD', at: at(3, 1) }, { side: 'sell', qty: '0.001', fee: '0.047295', feeCurrency: 'USD', at: at(3, 5) }] },
  { id: 3, symbol: 'UNITTEST/BTC', open: false, realized: '-0.00003', fees: '0.00002', openedAt: at(3, 18), closedAt: at(4, 0), orders: [
    { side: 'buy', qty: '5', fee: '0.00001', feeCurrency: 'BTC', at: at(3, 18) }, { side: 'sell', qty: '2', fee: '0.000005', feeCurrency: 'BTC', at: at(3, 20) },
    { side: 'sell', qty: '3', fee: '0.000005', feeCurrency: 'BTC', at: at(4, 0) }] },
  { id: 4, symbol: 'ETH/USDT', open: false, realized: '1.5', fees: '0.3', openedAt: at(5, 2), closedAt: at(6, 3), orders: [
    { side: 'buy', qty: '1', fee: '0.1', feeCurrency: 'USDT', at: at(5, 2) }, { side: 'sell', qty: '1', fee: '0.2', feeCurrency: 'USDT', at: at(6, 3) }] },
  { id: 5, symbol: 'BTC/USD', open: true, realized: '0', fees: '0.047', openedAt: at(5, 10), orders: [
    { side: 'buy', qty: '0.001', fee: '0.047', feeCurrency: 'USD', at: at(5, 10) }] },
];

const OLD_DAYS: readonly [string, string, string, number][] = [
  ['2022-01-02', '-0.7470695', '0.0945695', 1],
  // BTC/USD's whole trade (+0.256705, fees 0.094295) and UNITTEST/BTC's first part (-0.00001, fees 0.000015), added together.
  ['2022-01-03', '0.256695', '0.09431', 1],
  ['2022-01-04', '-0.00002', '0.000005', 1],
  // ETH/USDT's buy fee (0.1) and BTC/USD's (0.047): neither position opened and closed that day.
  ['2022-01-05', '0', '0.147', 0],
  ['2022-01-06', '1.5', '0.2', 1],
];

describe('migration 3: realized PnL per day and quote currency, from a file written by the schema-2 code', () => {
  it('gives each day to the currencies that booked it, splits a shared day exactly where the positions tell, and changes no amount booked', () => {
    const dir = tempDir();
    schema2File(dir, POSITIONS, OLD_DAYS);

    const store = StateStore.open({ dataDir: dir, now: () => at(7, 0), exclusive: false });
    expect([store.migratedFrom, store.schemaVersion]).toEqual([2, 3]);
    expect(dailyRows(dir)).toEqual([
      // A day one currency traded: its row, copied as it was.
      { day: '2022-01-02', currency: 'USD', realized_pnl: '-0.7470695', fees: '0.0945695', closed_trades: 1 },
      // Shared: BTC/USD's position opened and closed that day and its orders are exactly its own, so
      // USD's part is what it booked; the rest of the row is UNITTEST/BTC's, the only other market.
      { day: '2022-01-03', currency: 'BTC', realized_pnl: '-0.00001', fees: '0.000015', closed_trades: 0 },
      { day: '2022-01-03', currency: 'USD', realized_pnl: '0.256705', fees: '0.094295', closed_trades: 1 },
      { day: '2022-01-04', currency: 'BTC', realized_pnl: '-0.00002', fees: '0.000005', closed_trades: 1 },
      // Shared, and nothing says how: kept whole under both names, counted in neither.
      { day: '2022-01-05', currency: 'USD+USDT', realized_pnl: '0', fees: '0.147', closed_trades: 0 },
      { day: '2022-01-06', currency: 'USDT', realized_pnl: '1.5', fees: '0.2', closed_trades: 1 },
    ]);
    // Every day's rows add up, to the last digit, to the row it had.
    for (const [day, realized, fees, trades] of OLD_DAYS) {
      const rows = dailyRows(dir).filter((r) => r.day === day);
      expect(rows.reduce((sum, r) => sum.add(d(r.realized_pnl)), Decimal.ZERO).eq(d(realized)), day).toBe(true);
      expect(rows.reduce((sum, r) => sum.add(d(r.fees)), Decimal.ZERO).eq(d(fees)), day).toBe(true);
      expect(rows.reduce((sum, r) => sum + r.closed_trades, 0), day).toBe(trades);
    }

    expect(new Map([...store.realizedByCurrency()].map(([c, v]) => [c, v.toString()]))).toEqual(new Map([['BTC', '-0.00003'], ['USD', '-0.4903645'], ['USD+USDT', '0'], ['USDT', '1.5']]));
    expect(store.feesPaid('USD').toString()).toBe('0.1888645');
    expect(store.realizedPnl('USD', '2022-01-03').toString()).toBe('0.256705');
    expect(store.realizedPnl('BTC', '2022-01-03').toString()).toBe('-0.00001');
    expect(store.realizedPnl('USD', '2022-01-05').isZero()).toBe(true);

    // The open BTC/USD position sold after the upgrade books into its own currency's day.
    store.setBalances({ USD: d('1000'), BTC: d('0.001') }, { ts: at(5, 11) });
    store.recordOrder({ clientOrderId: 'int_0000000000000051-1', intentId: 'int_0000000000000051', decisionId: 'dec_20220101_000000_000005', symbol: 'BTC/USD', side: 'sell', qty: d('0.001'), limitPx: d('1'), ts: at(5, 12), exitRule: 'stop_loss' });
    store.applyFill({ clientOrderId: 'int_0000000000000051-1', filledQty: d('0.001'), avgPx: d('0.5'), fee: d('0'), feeCurrency: 'USD', status: 'filled', ts: at(5, 12) });
    expect(store.realizedPnl('USD', '2022-01-05').toString()).toBe('-0.0005');
    expect(store.dailyPnl('2022-01-05', 'USD+USDT')?.fees.toString()).toBe('0.147');
    store.close();
    expect(dailyRows(dir).filter((r) => r.day === '2022-01-05')).toEqual([
      { day: '2022-01-05', currency: 'USD', realized_pnl: '-0.0005', fees: '0', closed_trades: 1 },
      { day: '2022-01-05', currency: 'USD+USDT', realized_pnl: '0', fees: '0.147', closed_trades: 0 },
    ]);
  });

  it('gives every row of a file that traded one quote currency to it, a day with nothing left of its trades included', () => {
    const dir = tempDir();
    const usdt = POSITIONS.filter((p) => p.id === 4);
    schema2File(dir, usdt, [['2021-12-30', '-2.25', '0.45', 1], ['2022-01-05', '0', '0.1', 0], ['2022-01-06', '1.5', '0.2', 1]]);
    const store = StateStore.open({ dataDir: dir, exclusive: false });
    expect(dailyRows(dir)).toEqual([
      { day: '2021-12-30', currency: 'USDT', realized_pnl: '-2.25', fees: '0.45', closed_trades: 1 },
      { day: '2022-01-05', currency: 'USDT', realized_pnl: '0', fees: '0.1', closed_trades: 0 },
      { day: '2022-01-06', currency: 'USDT', realized_pnl: '1.5', fees: '0.2', closed_trades: 1 },
    ]);
    expect(store.realizedPnl('USDT').toString()).toBe('-0.75');
    store.close();
  });
});
