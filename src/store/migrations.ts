import type Database from 'better-sqlite3';
import { Decimal } from '../domain/decimal.js';
import { migration3 } from './migration-3-daily-by-currency.js';

/**
 * The schema, as an ordered list of migrations. A database at version N has had migrations 1..N
 * applied, each in its own transaction together with the version bump, so a crash mid-migration
 * leaves the previous version intact. Append new migrations; never edit a released one. A
 * migration that moves data lives in a file of its own that imports no live code (see
 * migration-3-daily-by-currency.ts): what it did on release must never change.
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
  migration3,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** Marks a database as tradetrace's, so a foreign SQLite file is refused instead of written into. */
export const APP_MARKER = 'tradetrace-state';
