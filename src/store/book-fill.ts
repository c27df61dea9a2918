import { Decimal } from '../domain/decimal.js';
import type { OrderStatus } from '../domain/order-state.js';
import { fillEffect, marketAssets, type FillEffect } from './fill-accounting.js';
import type { DailyPnl, OrderRecord, PositionRecord, SymbolExit } from './records.js';
import { decimalColumn, utcDay } from './row-codec.js';
import type { Statements } from './statements.js';
import { StoreError } from './store-error.js';

/** An order's fill as the exchange reports it: cumulative over the order's life, not per trade. */
export interface FillInput {
  readonly clientOrderId: string;
  readonly filledQty: Decimal;
  readonly avgPx: Decimal;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  /** The exchange's exact cumulative qty x price (see CumulativeFill): what the balances move by. */
  readonly filledNotional?: Decimal;
  /** The order's status after this report, as the exchange gives it. */
  readonly status: Exclude<OrderStatus, 'new'>;
  readonly exchangeOrderId?: string;
  /** Fill time (bar time in a replay): it picks the day of the realized PnL. */
  readonly ts: number;
}

export interface FillResult {
  readonly order: OrderRecord;
  /** The position after the fill (qty 0 when this fill closed it); undefined for a sell with no position. */
  readonly position: PositionRecord | undefined;
  readonly positionChange: FillEffect['positionChange'];
  /** What this report added to the order: its quantity, exact notional and fee (in the order's fee currency). */
  readonly bookedQty: Decimal;
  readonly bookedNotional: Decimal;
  readonly bookedFee: Decimal;
  /** Price of what this report added (bookedNotional / bookedQty). */
  readonly fillPx: Decimal;
  readonly feeQuote: Decimal;
  readonly realizedPnl: Decimal;
}

export interface DailyPnlRow {
  day: string;
  currency: string;
  realized_pnl: string;
  fees: string;
  closed_trades: number;
}

export function dailyFromRow(path: string, row: DailyPnlRow): DailyPnl {
  const where = `realized_pnl_daily row ${row.day} ${row.currency}`;
  return { day: row.day, currency: row.currency, realizedPnl: decimalColumn(path, where, 'realized_pnl', row.realized_pnl), fees: decimalColumn(path, where, 'fees', row.fees), closedTrades: row.closed_trades };
}

/** What a booking reads: the store's mirror of the committed books (exact, since the store holds the file exclusively). */
export interface BooksView {
  /** The open position of the order's symbol, with any trailing-stop peak raised since its last write. */
  readonly position: PositionRecord | undefined;
  balance(asset: string): Decimal;
  daily(day: string, currency: string): DailyPnl | undefined;
}

/** A booking's result plus every mirrored value it wrote, so the mirror is updated without reading back. */
export interface BookedFill {
  readonly result: FillResult;
  readonly balances: ReadonlyMap<string, Decimal>;
  readonly daily: DailyPnl | undefined;
  readonly exit: SymbolExit | undefined;
}

/**
 * Writes one fill's effect: balances, the position (inserted, updated or closed), the day's realized
 * PnL, the symbol's last exit and the order. Runs inside the store's transaction; throws StoreError
 * (rolling it back) when the fill contradicts the books. Reads come from `books` rather than from
 * the file: a SELECT per value cost more than the writes themselves (see bench/engine).
 */
export function bookFill(sql: Statements, path: string, current: OrderRecord, input: FillInput, books: BooksView): BookedFill {
  const before = books.position;
  const effect = fillEffect(current, input, before, input.ts);
  const balances = new Map<string, Decimal>();
  for (const [asset, delta] of effect.balanceDeltas) {
    if (delta.isZero()) continue;
    const held = books.balance(asset);
    const after = held.add(delta);
    if (after.isNegative()) {
      throw new StoreError('invalid_operation', `booking ${input.clientOrderId} would leave ${asset} at ${after.toString()} (held ${held.toString()}, change ${delta.toString()}); the store mirrors the exchange's balances: set them (setBalances) before trading`, { path, found: after.toString(), expected: '>= 0' });
    }
    sql.upsertBalance.run(asset, after.toString(), input.ts);
    balances.set(asset, after);
  }
  let position: PositionRecord | undefined;
  if (effect.position) {
    const fields = {
      qty: effect.position.qty.toString(), entry_px: effect.position.entryPx.toString(), entry_cost: effect.position.entryCost.toString(), entry_fees: effect.position.entryFees.toString(),
      fees_paid: effect.position.feesPaid.toString(), realized_pnl: effect.position.realizedPnl.toString(), peak_px: effect.position.peakPx.toString(), updated_at: input.ts,
    };
    let id: number;
    if (before) {
      id = before.id;
      sql.updatePosition.run({ ...fields, id, decision_id: effect.position.decisionId, opened_at: effect.position.openedAt, status: effect.positionChange === 'closed' ? 'closed' : 'open', closed_at: effect.positionChange === 'closed' ? input.ts : null });
    } else {
      id = Number(sql.insertPosition.run({ ...fields, symbol: current.symbol, decision_id: current.decisionId, opened_at: input.ts }).lastInsertRowid);
    }
    position = { ...effect.position, id, updatedAt: input.ts };
  }
  let daily: DailyPnl | undefined;
  if (!effect.realizedPnl.isZero() || !effect.feeQuote.isZero() || effect.positionChange === 'closed') {
    const day = utcDay(input.ts);
    // Realized PnL and fees are in the market's quote currency: each currency has its own day.
    const currency = marketAssets(current.symbol).quote;
    const prev = books.daily(day, currency) ?? { day, currency, realizedPnl: Decimal.ZERO, fees: Decimal.ZERO, closedTrades: 0 };
    daily = { day, currency, realizedPnl: prev.realizedPnl.add(effect.realizedPnl), fees: prev.fees.add(effect.feeQuote), closedTrades: prev.closedTrades + (effect.positionChange === 'closed' ? 1 : 0) };
    sql.upsertDailyPnl.run({ day, currency, realized_pnl: daily.realizedPnl.toString(), fees: daily.fees.toString(), closed_trades: daily.closedTrades });
  }
  let exit: SymbolExit | undefined;
  if (effect.positionChange === 'closed' && position) {
    exit = { symbol: current.symbol, exitedAt: input.ts, decisionId: position.decisionId };
    sql.upsertExit.run(exit.symbol, exit.exitedAt, exit.decisionId);
  }
  const order: OrderRecord = {
    ...current, status: input.status, exchangeOrderId: input.exchangeOrderId ?? current.exchangeOrderId, filledQty: input.filledQty,
    filledNotional: current.filledNotional.add(effect.deltaNotional), feeBooked: input.fee, feeCurrency: input.fee.isZero() ? current.feeCurrency : input.feeCurrency, updatedAt: input.ts,
  };
  saveOrder(sql, order);
  const result = { order, position, positionChange: effect.positionChange, bookedQty: effect.deltaQty, bookedNotional: effect.deltaNotional, bookedFee: effect.deltaFee, fillPx: effect.fillPx, feeQuote: effect.feeQuote, realizedPnl: effect.realizedPnl };
  return { result, balances, daily, exit };
}

export function saveOrder(sql: Statements, order: OrderRecord): void {
  sql.updateOrder.run({
    client_order_id: order.clientOrderId, status: order.status, exchange_order_id: order.exchangeOrderId ?? null,
    filled_qty: order.filledQty.toString(), filled_notional: order.filledNotional.toString(), fee_booked: order.feeBooked.toString(),
    fee_currency: order.feeCurrency ?? null, updated_at: order.updatedAt,
  });
}
