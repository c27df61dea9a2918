import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { MIGRATIONS } from './migrations.js';
import { StateStore, type NewOrder } from './state-store.js';

const d = (text: string): Decimal => Decimal.parse(text);
const T0 = Date.UTC(2022, 0, 3, 10, 0, 0);
const DECISION = 'dec_20220103_100000_000001';

function order(n: number, side: 'buy' | 'sell', qty: string, px: string): NewOrder {
  const intentId = `int_0000000000000${String(n).padStart(3, '0')}`;
  return { clientOrderId: `${intentId}-1`, intentId, decisionId: DECISION, symbol: 'BTC/USDT', side, qty: d(qty), limitPx: d(px), ts: T0, ...(side === 'sell' ? { exitRule: 'take_profit' as const } : {}) };
}

/** Records and fills one order at once; `notional` is the exchange's exact cumulative qty x price when it filled at several prices. */
function fill(store: StateStore, n: number, side: 'buy' | 'sell', qty: string, avgPx: string, fee: string, notional?: string): Decimal {
  const placed = order(n, side, qty, avgPx);
  store.recordOrder(placed);
  const result = store.applyFill({
    clientOrderId: placed.clientOrderId, filledQty: d(qty), avgPx: d(avgPx), ...(notional ? { filledNotional: d(notional) } : {}),
    fee: d(fee), feeCurrency: 'USDT', status: 'filled', ts: T0 + n * 60_000,
  });
  return result.realizedPnl;
}

// A position bought at prices whose average has no finite decimal (5/3 = 1.666...) used to be
// costed at that average rounded to 18 places, so selling it booked a PnL 1e-18 per unit off what
// the account actually gained: summed over many trades, the PnL drifted from the balances.
describe('realized PnL equals what the account gained, to the last unit', () => {
  it('over a position bought at two prices and sold in two parts', () => {
    const store = StateStore.open({ dataDir: tempDir(), now: () => T0 });
    store.setBalances({ USDT: d('1000') });
    fill(store, 1, 'buy', '1', '1', '0.001');
    fill(store, 2, 'buy', '2', '2', '0.003');
    expect(store.position('BTC/USDT')?.entryPx.toString()).toBe('1.666666666666666667');
    const first = fill(store, 3, 'sell', '1', '2', '0.002');
    const second = fill(store, 4, 'sell', '2', '2', '0.004');
    // Paid 5 + 0.004 in fees, got 6 - 0.006: the account gained exactly 0.99.
    expect(store.balance('USDT').toString()).toBe('1000.99');
    expect(first.add(second).toString()).toBe('0.99');
    expect(store.realizedPnl('USDT').toString()).toBe('0.99');
    store.close();
  });

  it('over one order filled at several prices (the exchange reports its exact notional)', () => {
    const store = StateStore.open({ dataDir: tempDir(), now: () => T0 });
    store.setBalances({ USDT: d('1000') });
    // 3 units for 10 in all: an average of 3.333...
    fill(store, 1, 'buy', '3', '3.333333333333333333', '0', '10');
    const pnl = fill(store, 2, 'sell', '3', '4', '0');
    expect(store.balance('USDT').toString()).toBe('1002');
    expect(pnl.toString()).toBe('2');
    store.close();
  });

  it('keeps the position cost across a restart, and costs a position from an older file at its entry price', () => {
    const dir = tempDir();
    let store = StateStore.open({ dataDir: dir, now: () => T0 });
    store.setBalances({ USDT: d('1000') });
    fill(store, 1, 'buy', '1', '1', '0');
    fill(store, 2, 'buy', '2', '2', '0');
    store.close();
    store = StateStore.open({ dataDir: dir, now: () => T0 });
    expect(fill(store, 3, 'sell', '3', '2', '0').toString()).toBe('1');
    store.close();

    // A file written before positions kept their cost (schema 1): its open position is costed as it always was.
    const old = tempDir();
    store = StateStore.open({ dataDir: old, now: () => T0 });
    store.setBalances({ USDT: d('1000') });
    fill(store, 1, 'buy', '2', '1.5', '0');
    store.close();
    const downgrade = new Database(join(old, 'state.sqlite'));
    // Back to schema 1's tables: no entry_cost, and realized PnL one row per day (none booked yet).
    downgrade.exec(`ALTER TABLE positions DROP COLUMN entry_cost; DROP TABLE realized_pnl_unsplit; DROP TABLE realized_pnl_daily;
      CREATE TABLE realized_pnl_daily (day TEXT PRIMARY KEY, realized_pnl TEXT NOT NULL, fees TEXT NOT NULL, closed_trades INTEGER NOT NULL) STRICT;
      UPDATE meta SET value = '1' WHERE key = 'schema_version'; PRAGMA user_version = 1;`);
    downgrade.close();
    store = StateStore.open({ dataDir: old, now: () => T0 });
    expect(store.migratedFrom).toBe(1);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(fill(store, 2, 'sell', '2', '2', '0').toString()).toBe('1');
    store.close();
    const raw = new Database(join(old, 'state.sqlite'), { readonly: true });
    expect(raw.prepare('SELECT entry_cost FROM positions').all()).toEqual([{ entry_cost: '0' }]);
    raw.close();
  });
});
