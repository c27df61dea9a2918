import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UNSETTLED_STATUSES } from './records.js';

const unsettledList = UNSETTLED_STATUSES.map((status) => `'${status}'`).join(', ');

/** What the bot's books hold of their exchange account, as peekBooks reads it. */
export interface BooksPeek {
  /** Orders ever recorded, settled or not: each was meant for, and most went to, an exchange account. */
  readonly orders: number;
  /** Of those, the ones the exchange may still hold (not settled yet). */
  readonly unsettled: number;
  /** The last exchange order id the books were given, if any. */
  readonly lastExchangeOrderId: string | undefined;
  /** Open positions as `SYMBOL qty`. */
  readonly positions: readonly string[];
}

/**
 * What a state database holds, read without opening it as the store does (read-only, no lock, no
 * migration, no write): so a start that is about to be refused leaves the file as it was. Undefined
 * when it cannot be read this way (damaged, foreign, locked): the store's own open then says why.
 */
export function peekBooks(path: string): BooksPeek | undefined {
  let db: Database.Database | undefined;
  try {
    db = openForPeek(path);
    const orders = db.prepare('SELECT COUNT(*) FROM orders').pluck().get() as number;
    const unsettled = db.prepare(`SELECT COUNT(*) FROM orders WHERE status IN (${unsettledList})`).pluck().get() as number;
    const last = db.prepare('SELECT exchange_order_id FROM orders WHERE exchange_order_id IS NOT NULL ORDER BY created_at DESC, rowid DESC LIMIT 1').pluck().get() as string | undefined;
    const positions = (db.prepare("SELECT symbol, qty FROM positions WHERE status = 'open' ORDER BY id").all() as { symbol: string; qty: string }[]).map((row) => `${row.symbol} ${row.qty}`);
    return { orders, unsettled, lastExchangeOrderId: last, positions };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/**
 * Opened by its path, even read-only, a WAL database gets a -wal and a -shm made beside it: a refused
 * start would leave files behind. Without a -wal there is nothing beyond the file itself to read, so
 * an in-memory copy is read instead, marked as a rollback-journal database (header bytes 18 and 19),
 * which SQLite opens without files beside it. With a -wal (a killed session: its -shm is there too),
 * the file is opened by path so the commits in that WAL are read.
 */
function openForPeek(path: string): Database.Database {
  if (existsSync(`${path}-wal`)) return new Database(path, { readonly: true, fileMustExist: true });
  const image = readFileSync(path);
  if (image.length >= 20) {
    image[18] = 1;
    image[19] = 1;
  }
  return new Database(image, { readonly: true });
}
