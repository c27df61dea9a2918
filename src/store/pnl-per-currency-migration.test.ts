import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { schema2File, type OldDay, type OldPosition } from './__fixtures__/schema-2-file.js';
import { dailyByCurrency, type Schema2DailyRow, type Schema2Order, type Schema2Position } from './migration-3-daily-by-currency.js';
import { StateStore } from './state-store.js';
import { StoreError } from './store-error.js';

const d = (text: string): Decimal => Decimal.parse(text);
const at = (day: number, hour: number): number => Date.UTC(2022, 0, day, hour);

function rawRows(dir: string, sql: string): unknown[] {
  const raw = new Database(join(dir, 'state.sqlite'), { readonly: true });
  try {
    return raw.prepare(sql).all();
  } finally {
    raw.close();
  }
}

const dailyRows = (dir: string): unknown[] => rawRows(dir, 'SELECT day, currency, realized_pnl, fees, closed_trades FROM realized_pnl_daily ORDER BY day, currency');
const unsplitRows = (dir: string): unknown[] => rawRows(dir, 'SELECT day, currencies, realized_pnl, fees, closed_trades FROM realized_pnl_unsplit ORDER BY day');

function openError(dir: string): StoreError {
  try {
    StateStore.open({ dataDir: dir, exclusive: false }).close();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('the store opened');
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

const OLD_DAYS: readonly OldDay[] = [
  ['2022-01-02', '-0.7470695', '0.0945695', 1],
  // BTC/USD's whole trade (+0.256705, fees 0.094295) and UNITTEST/BTC's first part (-0.00001, fees 0.000015), added together.
  ['2022-01-03', '0.256695', '0.09431', 1],
  ['2022-01-04', '-0.00002', '0.000005', 1],
  // ETH/USDT's buy fee (0.1) and BTC/USD's (0.047).
  ['2022-01-05', '0', '0.147', 0],
  ['2022-01-06', '1.5', '0.2', 1],
];

describe('migration 3: realized PnL per day and quote currency, from a file written by the schema-2 code', () => {
  it('gives a day to a currency only when its markets alone booked that day, keeps a shared day whole and apart, and copies every amount as it was', () => {
    const dir = tempDir();
    schema2File(dir, POSITIONS, OLD_DAYS);

    const store = StateStore.open({ dataDir: dir, now: () => at(7, 0), exclusive: false });
    expect([store.migratedFrom, store.schemaVersion]).toEqual([2, 3]);
    expect(dailyRows(dir)).toEqual([
      { day: '2022-01-02', currency: 'USD', realized_pnl: '-0.7470695', fees: '0.0945695', closed_trades: 1 },
      { day: '2022-01-04', currency: 'BTC', realized_pnl: '-0.00002', fees: '0.000005', closed_trades: 1 },
      { day: '2022-01-06', currency: 'USDT', realized_pnl: '1.5', fees: '0.2', closed_trades: 1 },
    ]);
    // Shared days: nothing stored says how much was whose, so each stays whole under the currencies that booked on it.
    expect(unsplitRows(dir)).toEqual([
      { day: '2022-01-03', currencies: '["BTC","USD"]', realized_pnl: '0.256695', fees: '0.09431', closed_trades: 1 },
      { day: '2022-01-05', currencies: '["USD","USDT"]', realized_pnl: '0', fees: '0.147', closed_trades: 0 },
    ]);

    // No currency's figures hold an unsplit day; they are read apart.
    expect(new Map([...store.realizedByCurrency()].map(([c, v]) => [c, v.toString()]))).toEqual(new Map([['BTC', '-0.00002'], ['USD', '-0.7470695'], ['USDT', '1.5']]));
    expect(new Map([...store.feesByCurrency()].map(([c, v]) => [c, v.toString()]))).toEqual(new Map([['BTC', '0.000005'], ['USD', '0.0945695'], ['USDT', '0.2']]));
    expect(store.dailyPnl('2022-01-03', 'USD')).toBeUndefined();
    expect(store.unsplitPnl().map((u) => [u.day, u.currencies, u.realizedPnl.toString(), u.fees.toString(), u.closedTrades])).toEqual([
      ['2022-01-03', ['BTC', 'USD'], '0.256695', '0.09431', 1],
      ['2022-01-05', ['USD', 'USDT'], '0', '0.147', 0],
    ]);
    expect(store.unsplitDay(at(5, 23))?.currencies).toEqual(['USD', 'USDT']);
    expect(store.unsplitDay('2022-01-04')).toBeUndefined();

    // The open BTC/USD position sold after the upgrade books into its own currency's day, beside the unsplit one.
    store.setBalances({ USD: d('1000'), BTC: d('0.001') }, { ts: at(5, 11) });
    store.recordOrder({ clientOrderId: 'int_0000000000000051-1', intentId: 'int_0000000000000051', decisionId: 'dec_20220101_000000_000005', symbol: 'BTC/USD', side: 'sell', qty: d('0.001'), limitPx: d('1'), ts: at(5, 12), exitRule: 'stop_loss' });
    store.applyFill({ clientOrderId: 'int_0000000000000051-1', filledQty: d('0.001'), avgPx: d('0.5'), fee: d('0'), feeCurrency: 'USD', status: 'filled', ts: at(5, 12) });
    expect(store.realizedPnl('USD', '2022-01-05').toString()).toBe('-0.0005');
    store.close();
    expect(dailyRows(dir).filter((r) => (r as { day: string }).day === '2022-01-05')).toEqual([{ day: '2022-01-05', currency: 'USD', realized_pnl: '-0.0005', fees: '0', closed_trades: 1 }]);
    expect(unsplitRows(dir)).toHaveLength(2);
  });

  it("never books a fee of one currency as another's: a USD attempt that only paid a fee, on a day UNITTEST/BTC also booked, stays unsplit", () => {
    // The reviewer's case (was: 0.05 USD became a 0.05 BTC loss). UNITTEST/BTC bought on the 2nd
    // and sold on the 3rd; on the 3rd a BTC/USD decision's first attempt paid 0.05 USD and filled
    // nothing, its second opened a position, sold the same day.
    const dir = tempDir();
    schema2File(dir, [
      { id: 1, symbol: 'UNITTEST/BTC', open: false, realized: '-0.00012', fees: '0.00002', openedAt: at(2, 20), closedAt: at(3, 1), orders: [
        { side: 'buy', qty: '5', fee: '0.00001', feeCurrency: 'BTC', at: at(2, 20) }, { side: 'sell', qty: '5', fee: '0.00001', feeCurrency: 'BTC', at: at(3, 1) }] },
      { id: 2, symbol: 'BTC/USD', open: false, realized: '0.905', fees: '0.095', openedAt: at(3, 3), closedAt: at(3, 5), orders: [
        { side: 'buy', qty: '0.001', filled: '0', fee: '0.05', feeCurrency: 'USD', at: at(3, 2) },
        { side: 'buy', qty: '0.001', fee: '0.047', feeCurrency: 'USD', at: at(3, 3) }, { side: 'sell', qty: '0.001', fee: '0.048', feeCurrency: 'USD', at: at(3, 5) }] },
    ], [['2022-01-02', '0', '0.00001', 0], ['2022-01-03', '0.85488', '0.14501', 2]]);

    const store = StateStore.open({ dataDir: dir, exclusive: false });
    expect(dailyRows(dir)).toEqual([{ day: '2022-01-02', currency: 'BTC', realized_pnl: '0', fees: '0.00001', closed_trades: 0 }]);
    expect(unsplitRows(dir)).toEqual([{ day: '2022-01-03', currencies: '["BTC","USD"]', realized_pnl: '0.85488', fees: '0.14501', closed_trades: 2 }]);
    expect(store.realizedPnl('BTC', '2022-01-03').isZero()).toBe(true);
    expect(store.realizedPnl('USD').isZero()).toBe(true);
    store.close();
  });

  it('gives a day nothing in the file touched to the one quote currency the file traded, and keeps it unsplit when the file traded several or none', () => {
    const usdtOnly = tempDir();
    schema2File(usdtOnly, POSITIONS.filter((p) => p.id === 4), [['2021-12-30', '-2.25', '0.45', 1], ['2022-01-05', '0', '0.1', 0], ['2022-01-06', '1.5', '0.2', 1]]);
    const store = StateStore.open({ dataDir: usdtOnly, exclusive: false });
    expect(dailyRows(usdtOnly)).toEqual([
      { day: '2021-12-30', currency: 'USDT', realized_pnl: '-2.25', fees: '0.45', closed_trades: 1 },
      { day: '2022-01-05', currency: 'USDT', realized_pnl: '0', fees: '0.1', closed_trades: 0 },
      { day: '2022-01-06', currency: 'USDT', realized_pnl: '1.5', fees: '0.2', closed_trades: 1 },
    ]);
    expect(store.realizedPnl('USDT').toString()).toBe('-0.75');
    store.close();

    const several = tempDir();
    schema2File(several, POSITIONS, [...OLD_DAYS, ['2021-12-30', '-2.25', '0.45', 1]]);
    StateStore.open({ dataDir: several, exclusive: false }).close();
    expect(unsplitRows(several)[0]).toEqual({ day: '2021-12-30', currencies: '["BTC","USD","USDT"]', realized_pnl: '-2.25', fees: '0.45', closed_trades: 1 });

    const none = tempDir();
    schema2File(none, [], [['2021-12-30', '-2.25', '0.45', 1]]);
    const bare = StateStore.open({ dataDir: none, exclusive: false });
    expect(bare.unsplitPnl().map((u) => [u.day, u.currencies])).toEqual([['2021-12-30', []]]);
    expect(bare.realizedByCurrency().size).toBe(0);
    bare.close();
  });

  it('stops on a value it cannot read, naming table, row and column and what to do, and leaves the file at schema version 2', () => {
    const dir = tempDir();
    schema2File(dir, POSITIONS, [...OLD_DAYS.slice(0, 1), ['2022-01-03', '0.256695', 'n/a', 1]]);
    const error = openError(dir);
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('failed: table realized_pnl_daily, row day 2022-01-03, column fees holds "n/a"; expected exact decimal text such as -0.05.');
    expect(error.message).toContain('Nothing was changed: the file stays at schema version 2. Keep running the previous tradetrace release on this data directory (it reads schema version 2), and report this message with a copy of ');
    // As the schema-2 code left it: its version, its one row per day, no table of schema 3.
    expect(rawRows(dir, "SELECT value FROM meta WHERE key = 'schema_version'")).toEqual([{ value: '2' }]);
    expect(rawRows(dir, 'PRAGMA user_version')).toEqual([{ user_version: 2 }]);
    expect(rawRows(dir, 'SELECT day, fees FROM realized_pnl_daily ORDER BY day')).toEqual([{ day: '2022-01-02', fees: '0.0945695' }, { day: '2022-01-03', fees: 'n/a' }]);
    expect(rawRows(dir, "SELECT name FROM sqlite_master WHERE name = 'realized_pnl_unsplit'")).toEqual([]);

    const badSymbol = tempDir();
    schema2File(badSymbol, [{ ...POSITIONS[0]!, id: 7, symbol: 'BTCUSD' }], OLD_DAYS.slice(0, 1));
    expect(openError(badSymbol).message).toContain('failed: table positions, row id 7, column symbol holds "BTCUSD"; expected a market symbol BASE/QUOTE, e.g. BTC/USD.');
  });

  it('reads each row of the file a fixed number of times: the work grows with the file, not with days x positions', () => {
    // Two currencies every day, a position of each spanning midnight: every day is shared (as in a
    // two-year file that took 71 s when the migration compared each shared day with every position).
    const file = (days: number): { rows: Schema2DailyRow[]; positions: Schema2Position[]; orders: Schema2Order[] } => {
      const rows: Schema2DailyRow[] = [];
      const positions: Schema2Position[] = [];
      const orders: Schema2Order[] = [];
      for (let day = 0; day < days; day++) {
        const start = Date.UTC(2022, 0, 1) + day * 86_400_000;
        rows.push({ day: new Date(start).toISOString().slice(0, 10), realized_pnl: '-1', fees: '0.1', closed_trades: 4 });
        for (let k = 0; k < 4; k++) {
          const symbol = k % 2 === 0 ? 'UNITTEST/BTC' : 'ETH/USD';
          const opened = start + k * 3_600_000;
          const closed = opened + (k >= 2 ? 86_400_000 / 2 + 12 * 3_600_000 : 600_000);
          const id = positions.length + 1;
          positions.push({ id, symbol, opened_at: opened, updated_at: closed, closed_at: closed });
          orders.push({ client_order_id: `b${id}`, symbol, filled_qty: '1', fee_booked: '0.01', created_at: opened, updated_at: opened });
          orders.push({ client_order_id: `s${id}`, symbol, filled_qty: '1', fee_booked: '0.01', created_at: closed, updated_at: closed });
        }
      }
      return { rows, positions, orders };
    };
    const reads = (days: number): { reads: number; rows: number; unsplit: number } => {
      const { rows, positions, orders } = file(days);
      let count = 0;
      const counted = <T extends object>(list: readonly T[]): T[] => list.map((row) => new Proxy(row, { get: (target, key, receiver): unknown => (count++, Reflect.get(target, key, receiver)) }));
      const out = dailyByCurrency(counted(rows), counted(positions), counted(orders));
      return { reads: count, rows: rows.length + positions.length + orders.length, unsplit: out.unsplit.length };
    };
    const small = reads(100);
    const large = reads(400);
    expect([small.unsplit, large.unsplit]).toEqual([100, 400]);
    // Every row read at most a handful of times (its columns), however many days share currencies.
    expect(large.reads / large.rows).toBeLessThanOrEqual(8);
    expect(large.reads).toBe(4 * small.reads);
  });
});
