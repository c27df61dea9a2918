import type Database from 'better-sqlite3';
import { Decimal } from '../domain/decimal.js';
import { splitDailyPnl, type BookedOrder, type PositionLife, type UnsplitDailyRow } from './split-daily-pnl.js';

/**
 * The schema, as an ordered list of migrations. A database at version N has had migrations 1..N
 * applied, each in its own transaction together with the version bump, so a crash mid-migration
 * leaves the previous version intact. Append new migrations; never edit a released one.
 *
 * Money and quantities are TEXT holding exact decimal text (Decimal.toString()), never REAL:
 * a float column would round balances on the way in.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'positions, orders, balances, realized PnL per day, last exit per symbol, meta',
    up(db) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE positions (
          id INTEGER PRIMARY KEY,
          symbol TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
          qty TEXT NOT NULL,
          entry_px TEXT NOT NULL,
          entry_fees TEXT NOT NULL,
          fees_paid TEXT NOT NULL,
          realized_pnl TEXT NOT NULL,
          peak_px TEXT NOT NULL,
          decision_id TEXT NOT NULL,
          opened_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          closed_at INTEGER
        ) STRICT;
        CREATE UNIQUE INDEX positions_one_open_per_symbol ON positions(symbol) WHERE status = 'open';
        CREATE TABLE orders (
          client_order_id TEXT PRIMARY KEY,
          intent_id TEXT NOT NULL,
          decision_id TEXT NOT NULL,
          symbol TEXT NOT NULL,
          side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
          qty TEXT NOT NULL,
          limit_px TEXT NOT NULL,
          status TEXT NOT NULL,
          exit_rule TEXT,
          exchange_order_id TEXT,
          filled_qty TEXT NOT NULL,
          filled_notional TEXT NOT NULL,
          fee_booked TEXT NOT NULL,
          fee_currency TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX orders_by_status ON orders(status);
        CREATE TABLE balances (asset TEXT PRIMARY KEY, amount TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;
        CREATE TABLE realized_pnl_daily (
          day TEXT PRIMARY KEY,
          realized_pnl TEXT NOT NULL,
          fees TEXT NOT NULL,
          closed_trades INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE symbol_exits (
          symbol TEXT PRIMARY KEY,
          exited_at INTEGER NOT NULL,
          decision_id TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    description: 'positions keep their exact cost (entry_cost), so realized PnL is not computed from a rounded average price',
    up(db) {
      db.exec(`ALTER TABLE positions ADD COLUMN entry_cost TEXT NOT NULL DEFAULT '0'`);
      // An open position from before is costed at its entry price, as it was until now; a closed one holds nothing.
      const open = db.prepare("SELECT id, qty, entry_px FROM positions WHERE status = 'open'").all() as { id: number; qty: string; entry_px: string }[];
      const setCost = db.prepare('UPDATE positions SET entry_cost = ? WHERE id = ?');
      for (const row of open) setCost.run(Decimal.parse(row.qty).mul(Decimal.parse(row.entry_px)).toString(), row.id);
    },
  },
  {
    version: 3,
    description: 'realized PnL per day and quote currency, so PnL of different currencies is never added together',
    up(db) {
      // Keyed by day AND currency rather than a day key with a currency column: every column of a
      // row (PnL, fees, closed trades) is one currency's, a day that traded two has two rows, and a
      // booking upserts exactly its own (day, currency). SQLite cannot change a primary key in
      // place, so the table is rebuilt under its name.
      const rows = db.prepare('SELECT day, realized_pnl, fees, closed_trades FROM realized_pnl_daily ORDER BY day').all() as UnsplitDailyRow[];
      const positions = db.prepare('SELECT symbol, status, realized_pnl, fees_paid, decision_id, opened_at, updated_at, closed_at FROM positions').all() as PositionLife[];
      const orders = db.prepare("SELECT symbol, side, decision_id, filled_qty, fee_booked, fee_currency, created_at, updated_at FROM orders WHERE filled_qty <> '0' OR fee_booked <> '0'").all() as BookedOrder[];
      const split = splitDailyPnl(rows, positions, orders);
      assertSameTotals(rows, split);
      db.exec(`
        CREATE TABLE realized_pnl_daily_v3 (
          day TEXT NOT NULL,
          currency TEXT NOT NULL,
          realized_pnl TEXT NOT NULL,
          fees TEXT NOT NULL,
          closed_trades INTEGER NOT NULL,
          PRIMARY KEY (day, currency)
        ) STRICT;
      `);
      const insert = db.prepare('INSERT INTO realized_pnl_daily_v3 (day, currency, realized_pnl, fees, closed_trades) VALUES (@day, @currency, @realized_pnl, @fees, @closed_trades)');
      for (const row of split) insert.run(row);
      db.exec('DROP TABLE realized_pnl_daily; ALTER TABLE realized_pnl_daily_v3 RENAME TO realized_pnl_daily;');
    },
  },
];

/** Migration 3 must move amounts, never change them: a day whose rows do not add up to its old row stops it (the file stays at version 2). */
function assertSameTotals(before: readonly UnsplitDailyRow[], after: readonly (UnsplitDailyRow & { currency: string })[]): void {
  for (const old of before) {
    const rows = after.filter((row) => row.day === old.day);
    const sum = (pick: (row: UnsplitDailyRow) => Decimal): Decimal => rows.reduce((total, row) => total.add(pick(row)), Decimal.ZERO);
    const realized = sum((row) => Decimal.parse(row.realized_pnl));
    const fees = sum((row) => Decimal.parse(row.fees));
    const trades = rows.reduce((total, row) => total + row.closed_trades, 0);
    if (!realized.eq(Decimal.parse(old.realized_pnl)) || !fees.eq(Decimal.parse(old.fees)) || trades !== old.closed_trades) {
      throw new Error(`realized_pnl_daily ${old.day} split by currency into ${JSON.stringify(rows)}, which does not add up to ${JSON.stringify(old)}; nothing was changed`);
    }
  }
}

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** Marks a database as tradetrace's, so a foreign SQLite file is refused instead of written into. */
export const APP_MARKER = 'tradetrace-state';
