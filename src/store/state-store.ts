import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { Decimal } from '../domain/decimal.js';
import { EXIT_RULES, type ExitRule } from '../recorder/events/order-events.js';
import { bookFill, dailyFromRow, saveOrder, type BookedFill, type DailyPnlRow, type FillInput, type FillResult } from './book-fill.js';
import { marketAssets } from './fill-accounting.js';
import { openDatabase, type OpenDatabaseOptions } from './open-database.js';
import { STORED_ORDER_TRANSITIONS, isUnsettled, type DailyPnl, type OrderRecord, type PositionRecord, type StateSnapshot, type StoredOrderStatus, type SymbolExit, type UnsplitDailyPnl } from './records.js';
import { decimalColumn, isExitRule, orderFromRow, positionFromRow, utcDay, type OrderRow, type PositionRow } from './row-codec.js';
import { prepareStatements, type Statements } from './statements.js';
import { sqliteCode, type FileIdentity } from './sqlite-file.js';
import { StoreError } from './store-error.js';
import { unsplitFromRow, type UnsplitDailyRow } from './unsplit-pnl.js';

export type { FillInput, FillResult };

export const STATE_FILE_NAME = 'state.sqlite';

export interface StateStoreOptions extends OpenDatabaseOptions {
  /** The data directory; the database is `<dataDir>/state.sqlite`. */
  readonly dataDir: string;
  /** Longest a raised trailing-stop peak waits before it is written (ms, on the monotonic clock). Default 1000. */
  readonly peakPersistMs?: number;
}

/** An order about to be sent: the identifying part of an OrderRecord, before any status or fill. */
export interface NewOrder extends Pick<OrderRecord, 'clientOrderId' | 'intentId' | 'decisionId' | 'symbol' | 'side' | 'qty' | 'limitPx'> {
  readonly exitRule?: ExitRule;
  /** Creation time (ms UTC); the store's clock when absent. */
  readonly ts?: number;
}

export interface OrderUpdate {
  /** Fills go through applyFill, so a status that implies one is not accepted here. */
  readonly status: Exclude<StoredOrderStatus, 'new' | 'filled' | 'partially_filled'>;
  readonly exchangeOrderId?: string;
  readonly ts?: number;
}

/**
 * The bot's persisted portfolio: positions, orders, balances, realized PnL, last exits. Every
 * change is one SQLite transaction; reads come from an in-memory mirror updated after each commit,
 * so the engine's hot path never touches the disk to ask what it holds.
 */
export class StateStore {
  readonly path: string;
  readonly created: boolean;
  readonly schemaVersion: number;
  readonly migratedFrom: number;
  private readonly db: Database.Database;
  private readonly identity: FileIdentity;
  private readonly sql: Statements;
  private readonly now: () => number;
  private readonly positionsBySymbol = new Map<string, PositionRecord>();
  private readonly unsettled = new Map<string, OrderRecord>();
  private readonly balanceByAsset = new Map<string, Decimal>();
  /** Day, then quote currency: each currency's PnL is its own, never summed with another's. */
  private readonly daily = new Map<string, Map<string, DailyPnl>>();
  /** Days from before schema 3 that no one currency can be given: never in `daily`, nor in any currency's total. */
  private readonly unsplitByDay = new Map<string, UnsplitDailyPnl>();
  private readonly exits = new Map<string, SymbolExit>();
  private readonly realizedTotals = new Map<string, Decimal>();
  private readonly feeTotals = new Map<string, Decimal>();
  private closed = false;
  private readonly unsavedPeaks = new Set<string>();
  private peaksSavedAt = -Infinity;
  private readonly peakPersistMs: number;
  /** One transaction wrapper for every write: better-sqlite3 builds five functions per `transaction()` call. */
  private readonly inTransaction: (work: () => unknown) => unknown;
  private readonly mirroredBalance = (asset: string): Decimal => this.balanceByAsset.get(asset) ?? Decimal.ZERO;
  private readonly mirroredDaily = (day: string, currency: string): DailyPnl | undefined => this.daily.get(day)?.get(currency);

  private constructor(path: string, options: StateStoreOptions) {
    const opened = openDatabase(path, options);
    this.path = path;
    this.db = opened.db;
    this.identity = opened.identity;
    this.created = opened.created;
    this.schemaVersion = opened.schemaVersion;
    this.migratedFrom = opened.migratedFrom;
    this.now = options.now ?? Date.now;
    this.peakPersistMs = options.peakPersistMs ?? 1000;
    this.sql = prepareStatements(this.db);
    this.inTransaction = this.db.transaction((work: () => unknown) => work());
    try {
      this.inTransaction(() => this.loadAll());
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  /** Opens `<dataDir>/state.sqlite`, creating it when absent. Throws StoreError on a corrupt, foreign or newer file. */
  static open(options: StateStoreOptions): StateStore {
    return new StateStore(join(options.dataDir, STATE_FILE_NAME), options);
  }

  private loadAll(): void {
    for (const row of this.sql.openPositions.all() as PositionRow[]) this.positionsBySymbol.set(row.symbol, positionFromRow(this.path, row));
    for (const row of this.sql.unsettledOrders.all() as OrderRow[]) this.unsettled.set(row.client_order_id, orderFromRow(this.path, row));
    for (const row of this.sql.balances.all() as { asset: string; amount: string }[]) {
      this.balanceByAsset.set(row.asset, decimalColumn(this.path, `balances row ${row.asset}`, 'amount', row.amount));
    }
    for (const row of this.sql.dailyPnl.all() as DailyPnlRow[]) this.mirrorDaily(dailyFromRow(this.path, row));
    for (const row of this.sql.unsplitPnl.all() as UnsplitDailyRow[]) this.unsplitByDay.set(row.day, unsplitFromRow(this.path, row));
    for (const row of this.sql.exits.all() as { symbol: string; exited_at: number; decision_id: string }[]) {
      this.exits.set(row.symbol, { symbol: row.symbol, exitedAt: row.exited_at, decisionId: row.decision_id });
    }
  }

  // ---- reads (from the mirror) ----

  snapshot(): StateSnapshot {
    return {
      positions: this.positions(),
      openOrders: this.openOrders(),
      balances: new Map(this.balanceByAsset),
      realizedPnl: this.realizedByCurrency(),
      dailyPnl: [...this.daily.values()].flatMap((byCurrency) => [...byCurrency.values()]),
      lastExits: new Map(this.exits),
    };
  }

  position(symbol: string): PositionRecord | undefined {
    return this.positionsBySymbol.get(symbol);
  }

  positions(): readonly PositionRecord[] {
    return [...this.positionsBySymbol.values()];
  }

  /** Orders that may still change at the exchange (new, submitted, partially_filled, pending_cancel, unknown). */
  openOrders(): readonly OrderRecord[] {
    return [...this.unsettled.values()];
  }

  /** Any order ever recorded, settled or not. Unsettled ones come from the mirror, which holds them exactly. */
  order(clientOrderId: string): OrderRecord | undefined {
    this.assertOpen();
    const mirrored = this.unsettled.get(clientOrderId);
    if (mirrored) return mirrored;
    const row = this.sql.orderById.get(clientOrderId) as OrderRow | undefined;
    return row ? orderFromRow(this.path, row) : undefined;
  }

  balance(asset: string): Decimal {
    return this.balanceByAsset.get(asset) ?? Decimal.ZERO;
  }

  balances(): ReadonlyMap<string, Decimal> {
    return new Map(this.balanceByAsset);
  }

  /**
   * Realized PnL in one quote currency, over the database's life or of one UTC day (`YYYY-MM-DD`,
   * or a time in ms). Another currency's is never in it: there is no total across currencies.
   */
  realizedPnl(currency: string, day?: string | number): Decimal {
    if (day === undefined) return this.realizedTotals.get(currency) ?? Decimal.ZERO;
    return this.dailyPnl(day, currency)?.realizedPnl ?? Decimal.ZERO;
  }

  /** Realized PnL over the database's life, per quote currency (sorted). Unsplit days are in none: see unsplitPnl. */
  realizedByCurrency(): ReadonlyMap<string, Decimal> {
    return sortedCopy(this.realizedTotals);
  }

  /** Every fee paid over the database's life in markets quoted in `currency`, valued in it. */
  feesPaid(currency: string): Decimal {
    return this.feeTotals.get(currency) ?? Decimal.ZERO;
  }

  /** feesPaid of every currency (sorted), as realizedByCurrency. */
  feesByCurrency(): ReadonlyMap<string, Decimal> {
    return sortedCopy(this.feeTotals);
  }

  dailyPnl(day: string | number, currency: string): DailyPnl | undefined {
    return this.daily.get(typeof day === 'number' ? utcDay(day) : day)?.get(currency);
  }

  /** Every day booked before schema 3 that no one currency can be given (see UnsplitDailyPnl), by day. */
  unsplitPnl(): readonly UnsplitDailyPnl[] {
    return [...this.unsplitByDay.values()];
  }

  /** The unsplit day `day` is (`YYYY-MM-DD`, or a time in ms), if it is one. */
  unsplitDay(day: string | number): UnsplitDailyPnl | undefined {
    return this.unsplitByDay.get(typeof day === 'number' ? utcDay(day) : day);
  }

  /** Takes a committed day row into the mirror, moving the lifetime totals by what it changed. */
  private mirrorDaily(entry: DailyPnl): void {
    const byCurrency = this.daily.get(entry.day) ?? new Map<string, DailyPnl>();
    const prev = byCurrency.get(entry.currency);
    const moved = (totals: Map<string, Decimal>, before: Decimal | undefined, after: Decimal): void => {
      totals.set(entry.currency, (totals.get(entry.currency) ?? Decimal.ZERO).sub(before ?? Decimal.ZERO).add(after));
    };
    moved(this.realizedTotals, prev?.realizedPnl, entry.realizedPnl);
    moved(this.feeTotals, prev?.fees, entry.fees);
    byCurrency.set(entry.currency, entry);
    this.daily.set(entry.day, byCurrency);
  }

  lastExit(symbol: string): SymbolExit | undefined {
    return this.exits.get(symbol);
  }

  // ---- writes (one transaction each) ----

  private write<R>(what: string, fn: () => R): R {
    this.assertOpen();
    this.assertFileKept(what);
    try {
      return this.inTransaction(fn) as R;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const code = sqliteCode(error);
      throw new StoreError('write_failed', `${what} in ${this.path} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`, { path: this.path, ...(code ? { sqliteCode: code } : {}) }, { cause: error });
    }
  }

  /**
   * Records an order as `new` before it is sent. A client order id recorded before is refused
   * (duplicate_order): that is what makes sending one twice impossible, across restarts too.
   */
  recordOrder(input: NewOrder): OrderRecord {
    marketAssets(input.symbol);
    const createdAt = input.ts ?? this.now();
    // The row is not read back, so a value restart could not read must be refused before it is written.
    if (input.exitRule !== undefined && !isExitRule(input.exitRule)) {
      throw new StoreError('invalid_operation', `order ${input.clientOrderId} has exit rule ${JSON.stringify(input.exitRule)}; expected one of ${EXIT_RULES.join(', ')}`, { path: this.path, found: String(input.exitRule), expected: EXIT_RULES.join(' | ') });
    }
    this.write(`recording order ${input.clientOrderId}`, () => {
      try {
        this.sql.insertOrder.run({
          client_order_id: input.clientOrderId, intent_id: input.intentId, decision_id: input.decisionId, symbol: input.symbol, side: input.side,
          qty: input.qty.toString(), limit_px: input.limitPx.toString(), exit_rule: input.exitRule ?? null, created_at: createdAt,
        });
      } catch (error) {
        // The primary key refuses the id: checked by the INSERT itself instead of a SELECT before it.
        if (sqliteCode(error) !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
        throw new StoreError('duplicate_order', `client order id ${input.clientOrderId} is already recorded in ${this.path}; an order is never sent twice`, { path: this.path, found: input.clientOrderId });
      }
    });
    const order: OrderRecord = {
      clientOrderId: input.clientOrderId, intentId: input.intentId, decisionId: input.decisionId, symbol: input.symbol, side: input.side,
      qty: input.qty, limitPx: input.limitPx, status: 'new', exitRule: input.exitRule, exchangeOrderId: undefined,
      filledQty: Decimal.ZERO, filledNotional: Decimal.ZERO, feeBooked: Decimal.ZERO, feeCurrency: undefined, createdAt, updatedAt: createdAt,
    };
    this.unsettled.set(order.clientOrderId, order);
    return order;
  }

  /** `order`, as looked up for `clientOrderId`, when it exists and may go to `next`; a StoreError otherwise. */
  private changeable(clientOrderId: string, order: OrderRecord | undefined, next: StoredOrderStatus): OrderRecord {
    if (!order) throw new StoreError('invalid_operation', `order ${clientOrderId} is not recorded in ${this.path}; record it (recordOrder) before sending it`, { path: this.path, found: clientOrderId });
    if (!STORED_ORDER_TRANSITIONS[order.status].includes(next)) {
      throw new StoreError('invalid_operation', `order ${clientOrderId} cannot go from ${order.status} to ${next}`, { path: this.path, found: `${order.status} -> ${next}`, expected: `${order.status} -> ${STORED_ORDER_TRANSITIONS[order.status].join(' | ') || '(final)'}` });
    }
    return order;
  }

  private mirrorOrder(order: OrderRecord): void {
    if (isUnsettled(order.status)) this.unsettled.set(order.clientOrderId, order);
    else this.unsettled.delete(order.clientOrderId);
  }

  /** A status change without a fill: submitted, pending_cancel, canceled, rejected, expired, failed, not_found, unknown. */
  updateOrder(clientOrderId: string, update: OrderUpdate): OrderRecord {
    const order = this.write(`updating order ${clientOrderId}`, () => {
      const current = this.changeable(clientOrderId, this.order(clientOrderId), update.status);
      const next: OrderRecord = { ...current, status: update.status, exchangeOrderId: update.exchangeOrderId ?? current.exchangeOrderId, updatedAt: update.ts ?? this.now() };
      saveOrder(this.sql, next);
      return next;
    });
    this.mirrorOrder(order);
    return order;
  }

  /**
   * Books an order's fill: order status and booked amounts, the position (opened, added to, reduced
   * or closed, with realized PnL), balances, the day's realized PnL and, on close, the symbol's last
   * exit: all in one transaction. Reports are cumulative, so booking one twice books nothing more.
   */
  applyFill(input: FillInput): FillResult {
    const booked = this.write(`booking fill of ${input.clientOrderId}`, () => this.bookFill(input));
    const { result } = booked;
    // The commit succeeded: only now does the mirror take what was written.
    this.mirrorOrder(result.order);
    const symbol = result.order.symbol;
    this.unsavedPeaks.delete(symbol);
    if (result.position && result.positionChange !== 'closed') this.positionsBySymbol.set(symbol, result.position);
    else if (result.positionChange === 'closed') this.positionsBySymbol.delete(symbol);
    for (const [asset, amount] of booked.balances) this.balanceByAsset.set(asset, amount);
    if (booked.daily) this.mirrorDaily(booked.daily);
    if (booked.exit) this.exits.set(symbol, booked.exit);
    return result;
  }

  private bookFill(input: FillInput): BookedFill {
    const existing = this.order(input.clientOrderId);
    // A repeated report (same status) is allowed even from a final status: it books only what is new.
    const current = existing?.status === input.status ? existing : this.changeable(input.clientOrderId, existing, input.status);
    const books = { position: this.positionsBySymbol.get(current.symbol), balance: this.mirroredBalance, daily: this.mirroredDaily };
    return bookFill(this.sql, this.path, current, input, books);
  }

  /**
   * Sets balances as the exchange reports them. With `replace`, assets not listed are removed, so
   * the mirror holds exactly the exchange's view.
   */
  setBalances(balances: ReadonlyMap<string, Decimal> | Readonly<Record<string, Decimal>>, options: { replace?: boolean; ts?: number } = {}): void {
    const entries = balances instanceof Map ? [...(balances as ReadonlyMap<string, Decimal>)] : Object.entries(balances as Readonly<Record<string, Decimal>>);
    for (const [asset, amount] of entries) {
      if (amount.isNegative()) throw new StoreError('invalid_operation', `balance of ${asset} is ${amount.toString()}; a spot balance cannot be negative`, { path: this.path, found: amount.toString(), expected: '>= 0' });
    }
    const ts = options.ts ?? this.now();
    this.write('setting balances', () => {
      if (options.replace) for (const asset of this.balanceByAsset.keys()) if (!entries.some(([a]) => a === asset)) this.sql.deleteBalance.run(asset);
      for (const [asset, amount] of entries) this.sql.upsertBalance.run(asset, amount.toString(), ts);
    });
    if (options.replace) this.balanceByAsset.clear();
    for (const [asset, amount] of entries) this.balanceByAsset.set(asset, amount);
  }

  /**
   * Raises the open position's peak (the trailing stop's anchor) when `price` is a new high. The
   * mirror changes at once; the file at most every `peakPersistMs` (and with every fill and at
   * close), because a rising market makes a new high on many bars and a commit per bar would cost
   * the engine more than the anchor is worth: a kill loses at most that window of peak.
   */
  updatePeak(symbol: string, price: Decimal, ts?: number): boolean {
    const position = this.positionsBySymbol.get(symbol);
    if (!position || !price.gt(position.peakPx)) return false;
    this.positionsBySymbol.set(symbol, { ...position, peakPx: price, updatedAt: ts ?? this.now() });
    this.unsavedPeaks.add(symbol);
    // Monotonic: on the wall clock, set back an hour by NTP, raised peaks went unwritten for that hour.
    const at = performance.now();
    if (at - this.peaksSavedAt >= this.peakPersistMs) this.persistPeaks(at);
    return true;
  }

  /** Writes every peak raised since the last write, in one transaction. */
  persistPeaks(at = performance.now()): void {
    this.peaksSavedAt = at;
    if (this.unsavedPeaks.size === 0) return;
    const symbols = [...this.unsavedPeaks];
    this.write('saving trailing-stop peaks', () => {
      for (const symbol of symbols) {
        const position = this.positionsBySymbol.get(symbol);
        if (position) this.sql.updatePeak.run(position.peakPx.toString(), position.updatedAt, position.id);
      }
    });
    this.unsavedPeaks.clear();
  }

  /**
   * Throws `file_gone` once the state file was deleted or replaced under the open connection (a
   * cleanup script, a restored backup): committing on would book into a file no later start reads.
   * What the connection still holds is first copied out for the operator to put back.
   */
  assertFileKept(what = 'the next booking'): void {
    const loss = this.identity.loss(this.db);
    if (loss === undefined) return;
    throw new StoreError(
      'file_gone',
      `state database ${this.path} was ${loss.lost} while the bot had it open: ${what} would go into a file no later start reads, and the books (positions, orders, PnL) would be lost at exit. Trading stops; ${loss.advice}`,
      { path: this.path, found: loss.lost, expected: 'the file opened at start' },
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('closed', `state store ${this.path} is closed`, { path: this.path });
  }

  /** Checkpoints the WAL into the main file and closes. Idempotent. */
  close(): void {
    if (this.closed) return;
    try {
      this.persistPeaks();
    } finally {
      // A failed last write (the file gone, the disk full) must not leave the connection open.
      this.closed = true;
      this.db.close();
    }
  }
}

function sortedCopy(totals: ReadonlyMap<string, Decimal>): ReadonlyMap<string, Decimal> {
  return new Map([...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
