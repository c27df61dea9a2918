import Database from 'better-sqlite3';
import { Decimal } from '../../domain/decimal.js';
import { isOpenStatus, ORDER_STATUSES } from '../../domain/order-state.js';
import type { Balance } from '../exchange.js';
import { lockAssetOf, type PaperOrder } from './paper-order.js';
import { createAtomically, openSqliteFile, sqliteCode, type FileIdentity } from '../../store/sqlite-file.js';
import { PaperStateError } from './paper-state-error.js';
import { balanceToRow, checkLocks, orderToRow, rowToBalance, rowToOrder, type BalanceRow, type OrderRow } from './paper-state-rows.js';

/**
 * The paper account on disk: the durable half of a remote exchange, which outlives the bot.
 *
 * SQLite (better-sqlite3, WAL) rather than a JSONL journal, because one exchange event changes
 * several records at once (a fill moves an order and two wallets; one candle can fill many orders)
 * and a transaction makes that all-or-nothing without a replay that must guess at a torn last line;
 * the file stays as large as the account instead of growing with every event; SQLite detects a
 * damaged file (quick_check); and an exclusive lock keeps a second simulator off the same account.
 *
 * Durability: every change commits before the call that made it answers. With WAL and
 * synchronous=NORMAL a commit is in the OS's page cache when `write` returns, so a SIGKILL of the
 * bot loses nothing; `synchronous: 'full'` also fsyncs each commit, for power loss.
 */
export const PAPER_STATE_APP = 'tradetrace-paper-exchange';
export const PAPER_STATE_VERSION = 1;

const SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE balances (asset TEXT PRIMARY KEY, free TEXT NOT NULL, locked TEXT NOT NULL) STRICT;
  CREATE TABLE orders (
    seq INTEGER PRIMARY KEY,
    client_order_id TEXT NOT NULL UNIQUE,
    exchange_order_id TEXT NOT NULL UNIQUE,
    symbol TEXT NOT NULL, base_asset TEXT NOT NULL, quote_asset TEXT NOT NULL,
    side TEXT NOT NULL, type TEXT NOT NULL, tif TEXT NOT NULL,
    qty TEXT NOT NULL, limit_px TEXT,
    status TEXT NOT NULL,
    filled_qty TEXT NOT NULL, filled_notional TEXT NOT NULL, avg_px TEXT, fee TEXT NOT NULL, fee_currency TEXT NOT NULL,
    locked TEXT NOT NULL, lock_per_unit TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    unfilled_because TEXT
  ) STRICT;
`;
/**
 * Added after version 1 without a new version: a nullable column an older tradetrace reads past
 * (SELECT *) and leaves NULL on its inserts (which name their columns), so the file stays readable
 * by both. A file made before it gets it at its first open for trading.
 */
const ADDED_ORDER_COLUMNS = ['unfilled_because'] as const;
const ORDER_COLUMNS = ['seq', 'client_order_id', 'exchange_order_id', 'symbol', 'base_asset', 'quote_asset', 'side', 'type', 'tif', 'qty', 'limit_px', 'status', 'filled_qty', 'filled_notional', 'avg_px', 'fee', 'fee_currency', 'locked', 'lock_per_unit', 'created_at', 'updated_at', ...ADDED_ORDER_COLUMNS] as const;
const ORDER_MUTABLE = ['status', 'filled_qty', 'filled_notional', 'avg_px', 'fee', 'locked', 'updated_at', 'unfilled_because'] as const;

export interface PaperStateFileOptions {
  /** `normal` (default) survives a killed process; `full` also survives power loss, at an fsync per change. */
  readonly synchronous?: 'normal' | 'full';
}

export interface LoadedPaperState {
  /** The open orders, in the order the account accepted them (time priority on the book). */
  readonly orders: readonly PaperOrder[];
  readonly balances: readonly Balance[];
  /** The highest seq ever given, finished orders included (0 for none): the next order gets a larger one. */
  readonly lastSeq: number;
}

function openError(path: string, error: unknown, what: string): PaperStateError {
  if (error instanceof PaperStateError) return error;
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new PaperStateError('corrupt', `paper exchange state ${path} is unreadable (${code}: ${message}); expected a paper exchange state file. It was left untouched: restore a backup or move it aside to start a new paper account`, { path, found: `${code}: ${message}`, expected: 'a SQLite database' }, { cause: error });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new PaperStateError('locked', `paper exchange state ${path} is held by another process or instance (${code}); is another session running on this data directory?`, { path, found: code }, { cause: error });
  }
  return new PaperStateError('open_failed', `cannot ${what} paper exchange state ${path}: ${message}`, { path, found: message }, { cause: error });
}

/** Builds the file under a temporary name and links it into place, so `path` is absent or complete; false when another process made it first. */
function create(path: string, balances: readonly Balance[], now: number): boolean {
  try {
    return createAtomically(path, (made) => {
      made.transaction(() => {
        made.exec(SCHEMA);
        made.prepare('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)').run('app', PAPER_STATE_APP, 'created_at', new Date(now).toISOString());
        const insert = made.prepare('INSERT INTO balances (asset, free, locked) VALUES (@asset, @free, @locked)');
        for (const balance of balances) insert.run(balanceToRow(balance));
        made.pragma(`user_version = ${PAPER_STATE_VERSION}`);
      })();
    });
  } catch (error) {
    throw openError(path, error, 'create');
  }
}

function checkIdentity(db: Database.Database, path: string): void {
  const problems = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) {
    throw new PaperStateError('corrupt', `paper exchange state ${path} is damaged: ${problems.slice(0, 3).join('; ')}. It was left untouched: restore a backup or move it aside`, { path, found: problems.slice(0, 3).join('; '), expected: 'quick_check ok' });
  }
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  const app = hasMeta ? (db.prepare("SELECT value FROM meta WHERE key = 'app'").get() as { value: string } | undefined)?.value : undefined;
  if (app !== PAPER_STATE_APP) {
    throw new PaperStateError('foreign_file', `${path} is a SQLite database but not a paper exchange state (meta.app is ${app === undefined ? 'missing' : JSON.stringify(app)}, expected ${JSON.stringify(PAPER_STATE_APP)}); refusing to use or change it`, { path, found: app ?? 'no meta.app', expected: PAPER_STATE_APP });
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== PAPER_STATE_VERSION) {
    const newer = version > PAPER_STATE_VERSION;
    throw new PaperStateError(newer ? 'newer_schema' : 'corrupt', `paper exchange state ${path} has schema version ${version}; this tradetrace reads version ${PAPER_STATE_VERSION}${newer ? ': it was written by a newer tradetrace, upgrade to use it' : ''}`, { path, found: `version ${version}`, expected: `version ${PAPER_STATE_VERSION}` });
  }
}

/** The statuses `isOpenStatus` tells apart, spelled for SQL's IN (...). */
const sqlStatuses = (open: boolean): string => ORDER_STATUSES.filter((status) => isOpenStatus(status) === open).map((status) => `'${status}'`).join(', ');
/** Statuses an order leaves the book in. */
const closedList = sqlStatuses(false);
const openList = sqlStatuses(true);

/**
 * Only what trading from here needs: the open orders (time priority: by seq), the balances and the
 * last seq (exchange order ids stay unique). Finished orders stay on disk and are read one at a time
 * (PaperStateFile.order), so a start does not grow with the account's history. Rows that claim to be
 * closed yet hold a lock, or whose status is no status, are decoded too, so such damage is refused at
 * open as before; any other damage to a finished order's row is reported when that order is read.
 */
function load(db: Database.Database, path: string): LoadedPaperState {
  const rows = db.prepare(`SELECT * FROM orders WHERE status NOT IN (${closedList}) OR locked <> '0' ORDER BY seq`).all() as OrderRow[];
  const orders = rows.map((row) => rowToOrder(row, path)).filter((order) => isOpenStatus(order.status));
  const balances = (db.prepare('SELECT * FROM balances ORDER BY asset').all() as BalanceRow[]).map((row) => rowToBalance(row, path));
  checkLocks(orders, balances, path, lockAssetOf);
  const lastSeq = (db.prepare('SELECT MAX(seq) FROM orders').pluck().get() as number | null) ?? 0;
  return { orders, balances, lastSeq };
}

/** ADDED_ORDER_COLUMNS a file made before them lacks; after the checks, so a refused file is never written. */
function addMissingColumns(db: Database.Database, path: string): void {
  const present = new Set((db.prepare('PRAGMA table_info(orders)').all() as { name: string }[]).map((column) => column.name));
  for (const column of ADDED_ORDER_COLUMNS) {
    if (present.has(column)) continue;
    try {
      db.exec(`ALTER TABLE orders ADD COLUMN ${column} TEXT`);
    } catch (error) {
      throw new PaperStateError('write_failed', `cannot add column orders.${column} to paper exchange state ${path}: ${error instanceof Error ? error.message : String(error)}`, { path }, { cause: error });
    }
  }
}

export class PaperStateFile {
  private closed = false;
  private readonly upsertOrder: Database.Statement;
  private readonly upsertBalance: Database.Statement;
  private readonly selectOrder: Database.Statement;
  private readonly orderExists: Database.Statement;
  private readonly saveTx: (orders: readonly PaperOrder[], balances: readonly Balance[]) => void;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    /** Whether this open made the file (and so took the configured starting balances). */
    readonly created: boolean,
    private readonly identity: FileIdentity,
  ) {
    addMissingColumns(db, path);
    const placeholders = ORDER_COLUMNS.map((c) => `@${c}`).join(', ');
    this.upsertOrder = db.prepare(`INSERT INTO orders (${ORDER_COLUMNS.join(', ')}) VALUES (${placeholders}) ON CONFLICT (client_order_id) DO UPDATE SET ${ORDER_MUTABLE.map((c) => `${c} = excluded.${c}`).join(', ')}`);
    this.upsertBalance = db.prepare('INSERT INTO balances (asset, free, locked) VALUES (@asset, @free, @locked) ON CONFLICT (asset) DO UPDATE SET free = excluded.free, locked = excluded.locked');
    this.selectOrder = db.prepare('SELECT * FROM orders WHERE client_order_id = ?');
    this.orderExists = db.prepare('SELECT 1 FROM orders WHERE client_order_id = ?').pluck();
    this.saveTx = db.transaction((orders: readonly PaperOrder[], balances: readonly Balance[]) => {
      for (const order of orders) this.upsertOrder.run(orderToRow(order));
      for (const balance of balances) this.upsertBalance.run(balanceToRow(balance));
    });
  }

  /**
   * Opens the state at `path`, creating it with `firstBalances` when it does not exist. An existing
   * file is the account: its balances win over `firstBalances`, as a real account's do over config.
   */
  static open(path: string, firstBalances: readonly Balance[], options: PaperStateFileOptions = {}, now = Date.now()): { file: PaperStateFile; state: LoadedPaperState } {
    const opened = openSqliteFile({
      path,
      now,
      create: () => create(path, firstBalances, now),
      emptyFile: () => new PaperStateError('corrupt', `paper exchange state ${path} is an empty file (0 bytes); tradetrace never leaves one behind (it creates the file under another name and renames it), so this is damage: restore a backup or move it aside`, { path, found: '0 bytes', expected: 'a SQLite database' }),
      fail: (error) => openError(path, error, 'open'),
      check: (db) => {
        checkIdentity(db, path);
        return load(db, path);
      },
      synchronous: options.synchronous,
    });
    return { file: new PaperStateFile(path, opened.db, opened.created, opened.identity), state: opened.checked };
  }

  /** Writes the changed orders and the wallets in one transaction; throws `write_failed` when SQLite refuses. */
  save(orders: readonly PaperOrder[], balances: readonly Balance[]): void {
    this.checkOpen();
    const loss = this.identity.loss(this.db);
    if (loss !== undefined) {
      throw new PaperStateError(
        'write_failed',
        `paper exchange state ${this.path} was ${loss.lost} while open: the account's orders and balances would go into a file no later start reads; ${loss.advice}`,
        { path: this.path, found: loss.lost, expected: 'the file opened at start' },
      );
    }
    try {
      this.saveTx(orders, balances);
    } catch (error) {
      const code = sqliteCode(error);
      throw new PaperStateError('write_failed', `cannot write paper exchange state ${this.path}${code ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`, { path: this.path, ...(code ? { found: code } : {}) }, { cause: error });
    }
  }

  /**
   * The order saved under `clientOrderId` as the last save left it, or undefined when there is none.
   * Throws PaperStateError `corrupt` when its row does not decode, `closed` after close().
   */
  order(clientOrderId: string): PaperOrder | undefined {
    this.checkOpen();
    const row = this.selectOrder.get(clientOrderId) as OrderRow | undefined;
    return row ? rowToOrder(row, this.path) : undefined;
  }

  /** Whether an order was ever saved under `clientOrderId` (a client order id is used once, whatever became of it). */
  hasOrder(clientOrderId: string): boolean {
    this.checkOpen();
    return this.orderExists.get(clientOrderId) !== undefined;
  }

  private checkOpen(): void {
    if (this.closed) throw new PaperStateError('closed', `paper exchange state ${this.path} is closed`, { path: this.path });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * What an account file holds, read without opening it for trading (read-only, no lock, no write):
 * the non-zero balances as `ASSET amount` and the open orders. Undefined when it cannot be read.
 */
export function peekPaperAccount(path: string): { readonly balances: readonly string[]; readonly openOrders: number } | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT asset, free, locked FROM balances ORDER BY asset').all() as { asset: string; free: string; locked: string }[];
    const balances = rows
      .map((row) => ({ asset: row.asset, total: Decimal.parse(row.free).add(Decimal.parse(row.locked)) }))
      .filter((row) => !row.total.isZero())
      .map((row) => `${row.asset} ${row.total.toString()}`);
    const openOrders = db.prepare(`SELECT COUNT(*) FROM orders WHERE status IN (${openList})`).pluck().get() as number;
    return { balances, openOrders };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
