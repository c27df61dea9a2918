import type Database from 'better-sqlite3';

/*
 * Schema migration 3: realized PnL per day AND quote currency.
 *
 * FROZEN. Once released, a migration must turn every schema-2 file into exactly the schema-3 file
 * it did on release, whatever the rest of the code becomes. So this file imports no live code of
 * tradetrace (no Decimal, no symbol parser, no day helper, no constant shared with the store):
 * everything it decides with is written out below, and a later change elsewhere cannot change
 * what it did. Never edit it after release; a different schema is a new migration.
 */

/** A realized_pnl_daily row as schemas 1 and 2 wrote it: one per UTC day, every currency added together. */
export interface Schema2DailyRow {
  readonly day: string;
  readonly realized_pnl: string;
  readonly fees: string;
  readonly closed_trades: number;
}

/** The schema-2 columns of a position that say in which market it booked and when. */
export interface Schema2Position {
  readonly id: number;
  readonly symbol: string;
  readonly opened_at: number;
  readonly updated_at: number;
  readonly closed_at: number | null;
}

/** The schema-2 columns of an order that say whether it booked anything, in which market and when. */
export interface Schema2Order {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly filled_qty: string;
  readonly fee_booked: string;
  readonly created_at: number;
  readonly updated_at: number;
}

/** A schema-3 realized_pnl_daily row: one currency's day. */
export interface CurrencyDailyRow extends Schema2DailyRow {
  readonly currency: string;
}

/**
 * A schema-3 realized_pnl_unsplit row: a schema-2 day that two or more quote currencies booked on
 * (or, with no currency listed, one the file names none for), kept whole because nothing stored
 * says how much of it was whose. `currencies` is a JSON array of their names, sorted.
 */
export interface UnsplitDailyRow extends Schema2DailyRow {
  readonly currencies: string;
}

export interface DailyByCurrency {
  readonly perCurrency: readonly CurrencyDailyRow[];
  readonly unsplit: readonly UnsplitDailyRow[];
}

/** A value this migration cannot read: it names where it is, so the operator can look at it. */
export class UnreadableRowError extends Error {
  readonly code = 'unreadable_row';

  constructor(
    readonly table: string,
    readonly rowKey: string,
    readonly column: string,
    readonly found: string,
    readonly expected: string,
  ) {
    super(`table ${table}, row ${rowKey}, column ${column} holds ${JSON.stringify(found)}; expected ${expected}`);
    this.name = 'UnreadableRowError';
  }
}

const DAY_MS = 86_400_000;
/** The range of a JavaScript date, in ms either side of 1970. */
const MAX_TIME = 8.64e15;
const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;
/** What schema-2 code wrote into decimal columns (Decimal.toString()). */
const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;
const ZERO_TEXT = /^-?0+(?:\.0+)?$/;

/** The `YYYY-MM-DD` UTC day number `n` (days since 1970-01-01) is. */
function dayText(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

function dayNumber(table: string, rowKey: string, column: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_TIME) throw new UnreadableRowError(table, rowKey, column, String(ms), 'a time in ms since 1970 (UTC)');
  return Math.floor(ms / DAY_MS);
}

function quoteOf(table: string, rowKey: string, symbol: string): string {
  const parts = symbol.split('/');
  const [base, quote] = parts;
  if (parts.length !== 2 || !base || !quote) throw new UnreadableRowError(table, rowKey, 'symbol', symbol, 'a market symbol BASE/QUOTE, e.g. BTC/USD');
  return quote;
}

function decimalText(table: string, rowKey: string, column: string, text: string): string {
  if (!DECIMAL_TEXT.test(text)) throw new UnreadableRowError(table, rowKey, column, text, 'exact decimal text such as -0.05');
  return text;
}

/**
 * Gives each schema-2 day row to the one quote currency that booked on that day, exactly, or to none.
 *
 * A fill books into the UTC day of its own time, into the quote currency of its market. A fill
 * belongs to an order, and its time lies between the order's creation and its last update; it
 * opens, changes or closes a position at that time. So the currencies that can have booked on a
 * day are the quotes of the positions opened, updated or closed that day and of the orders that
 * booked something (filled, or paid a fee) and lived that day (every day from creation to last
 * update: a resting order filled in parts books on each day it filled). Then:
 * - one currency: the whole row is its own, copied as it was;
 * - none (nothing left in the file says who booked it): the file's quote currency when all its
 *   positions and orders trade in one, else kept unsplit under all of them (or none, listing none);
 * - two or more: kept whole and unsplit under them. Nothing stored says how they shared the row
 *   (a position's figures miss the fees of attempts that filled nothing), and an amount given to
 *   the wrong currency is worse than one given to none: readers of one currency never count it.
 * Amounts are copied as text, never computed: nothing can change on the way. Each position and
 * order is read once and each day row once, so the work grows with the size of the file.
 */
export function dailyByCurrency(rows: readonly Schema2DailyRow[], positions: readonly Schema2Position[], orders: readonly Schema2Order[]): DailyByCurrency {
  const touched = new Map<string, Set<string>>();
  const fileCurrencies = new Set<string>();
  const note = (day: string, quote: string): void => {
    let set = touched.get(day);
    if (!set) touched.set(day, (set = new Set<string>()));
    set.add(quote);
  };
  for (const p of positions) {
    const key = `id ${p.id}`;
    const quote = quoteOf('positions', key, p.symbol);
    fileCurrencies.add(quote);
    note(dayText(dayNumber('positions', key, 'opened_at', p.opened_at)), quote);
    note(dayText(dayNumber('positions', key, 'updated_at', p.updated_at)), quote);
    if (p.closed_at !== null) note(dayText(dayNumber('positions', key, 'closed_at', p.closed_at)), quote);
  }
  for (const o of orders) {
    const key = `client_order_id ${o.client_order_id}`;
    const filled = decimalText('orders', key, 'filled_qty', o.filled_qty);
    const fee = decimalText('orders', key, 'fee_booked', o.fee_booked);
    if (ZERO_TEXT.test(filled) && ZERO_TEXT.test(fee)) continue;
    const quote = quoteOf('orders', key, o.symbol);
    fileCurrencies.add(quote);
    const created = dayNumber('orders', key, 'created_at', o.created_at);
    const updated = dayNumber('orders', key, 'updated_at', o.updated_at);
    for (let n = Math.min(created, updated); n <= Math.max(created, updated); n++) note(dayText(n), quote);
  }

  const everyCurrency = [...fileCurrencies].sort();
  const perCurrency: CurrencyDailyRow[] = [];
  const unsplit: UnsplitDailyRow[] = [];
  for (const row of rows) {
    const key = `day ${row.day}`;
    if (!DAY_TEXT.test(row.day)) throw new UnreadableRowError('realized_pnl_daily', key, 'day', row.day, 'a UTC day YYYY-MM-DD');
    const amounts = {
      day: row.day,
      realized_pnl: decimalText('realized_pnl_daily', key, 'realized_pnl', row.realized_pnl),
      fees: decimalText('realized_pnl_daily', key, 'fees', row.fees),
      closed_trades: row.closed_trades,
    };
    const set = touched.get(row.day);
    const currencies = set === undefined ? everyCurrency : [...set].sort();
    const [only] = currencies;
    if (currencies.length === 1 && only !== undefined) perCurrency.push({ ...amounts, currency: only });
    else unsplit.push({ ...amounts, currencies: JSON.stringify(currencies) });
  }
  return { perCurrency, unsplit };
}

export const migration3 = {
  version: 3,
  description: 'realized PnL per day and quote currency, so PnL of different currencies is never added together',
  up(db: Database.Database): void {
    const rows = db.prepare('SELECT day, realized_pnl, fees, closed_trades FROM realized_pnl_daily ORDER BY day').all() as Schema2DailyRow[];
    const positions = db.prepare('SELECT id, symbol, opened_at, updated_at, closed_at FROM positions').all() as Schema2Position[];
    const orders = db.prepare('SELECT client_order_id, symbol, filled_qty, fee_booked, created_at, updated_at FROM orders').all() as Schema2Order[];
    const { perCurrency, unsplit } = dailyByCurrency(rows, positions, orders);
    // Keyed by day AND currency: every column of a row (PnL, fees, closed trades) is one
    // currency's, and a booking upserts exactly its own (day, currency). SQLite cannot change a
    // primary key in place, so the table is rebuilt under its name. Unsplit days get a table of
    // their own, which no booking writes and no reader of one currency's PnL reads.
    db.exec(`
      CREATE TABLE realized_pnl_daily_v3 (
        day TEXT NOT NULL,
        currency TEXT NOT NULL,
        realized_pnl TEXT NOT NULL,
        fees TEXT NOT NULL,
        closed_trades INTEGER NOT NULL,
        PRIMARY KEY (day, currency)
      ) STRICT;
      CREATE TABLE realized_pnl_unsplit (
        day TEXT PRIMARY KEY,
        currencies TEXT NOT NULL,
        realized_pnl TEXT NOT NULL,
        fees TEXT NOT NULL,
        closed_trades INTEGER NOT NULL
      ) STRICT;
    `);
    const insert = db.prepare('INSERT INTO realized_pnl_daily_v3 (day, currency, realized_pnl, fees, closed_trades) VALUES (@day, @currency, @realized_pnl, @fees, @closed_trades)');
    for (const row of perCurrency) insert.run(row);
    const insertUnsplit = db.prepare('INSERT INTO realized_pnl_unsplit (day, currencies, realized_pnl, fees, closed_trades) VALUES (@day, @currencies, @realized_pnl, @fees, @closed_trades)');
    for (const row of unsplit) insertUnsplit.run(row);
    db.exec('DROP TABLE realized_pnl_daily; ALTER TABLE realized_pnl_daily_v3 RENAME TO realized_pnl_daily;');
  },
};
