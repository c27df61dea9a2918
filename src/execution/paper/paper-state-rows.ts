import { Decimal } from '../../domain/decimal.js';
import { isOpenStatus, ORDER_STATUSES, type OrderStatus } from '../../domain/order-state.js';
import { ORDER_SIDES, TIMES_IN_FORCE, type OrderSide, type TimeInForce } from '../../domain/order-types.js';
import { CLIENT_ORDER_ID } from '../client-order-id.js';
import { UNFILLED_REASONS, type Balance, type PlaceOrderRequest } from '../exchange.js';
import { averagePrice, type PaperOrder } from './paper-order.js';
import { PaperStateError } from './paper-state-error.js';

/**
 * Rows of the paper exchange's state file and their strict decoding. Money and quantities are TEXT
 * holding Decimal.toString() exactly (a REAL column would round a balance on the way in); a row that
 * does not decode, or contradicts itself, is reported as corruption naming the file, row and column.
 */
export interface OrderRow {
  seq: number;
  client_order_id: string;
  exchange_order_id: string;
  symbol: string;
  base_asset: string;
  quote_asset: string;
  side: string;
  type: string;
  tif: string;
  qty: string;
  limit_px: string | null;
  status: string;
  filled_qty: string;
  filled_notional: string;
  /** Written for people reading the file; decoding recomputes it from filled_notional. */
  avg_px: string | null;
  fee: string;
  fee_currency: string;
  locked: string;
  lock_per_unit: string;
  created_at: number;
  updated_at: number;
  /** Why an IOC or FOK order expired with nothing filled (PaperOrder.unfilledBecause); NULL otherwise. */
  unfilled_because: string | null;
}

export interface BalanceRow {
  asset: string;
  free: string;
  locked: string;
}

export function orderToRow(order: PaperOrder): OrderRow {
  const { request } = order;
  return {
    seq: order.seq,
    client_order_id: request.clientOrderId,
    exchange_order_id: order.exchangeOrderId,
    symbol: request.symbol,
    base_asset: order.baseAsset,
    quote_asset: order.quoteAsset,
    side: request.side,
    type: request.type,
    tif: request.tif,
    qty: request.qty.toString(),
    limit_px: request.type === 'limit' ? request.limitPx.toString() : null,
    status: order.status,
    filled_qty: order.filledQty.toString(),
    filled_notional: order.filledNotional.toString(),
    avg_px: averagePrice(order)?.toString() ?? null,
    fee: order.fee.toString(),
    fee_currency: order.quoteAsset,
    locked: order.locked.toString(),
    lock_per_unit: order.lockPerUnit.toString(),
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    unfilled_because: order.unfilledBecause ?? null,
  };
}

export function balanceToRow(balance: Balance): BalanceRow {
  return { asset: balance.asset, free: balance.free.toString(), locked: balance.locked.toString() };
}

function oneOf<T extends string>(values: readonly T[], text: string): T | undefined {
  return values.find((v) => v === text);
}

/** Reads one row's columns, each failure naming the file, the row and the column. */
class RowReader {
  constructor(
    private readonly path: string,
    private readonly where: string,
  ) {}

  fail(column: string, found: string, expected: string): PaperStateError {
    return new PaperStateError('corrupt', `paper exchange state ${this.path}: ${this.where}, column ${column}: found ${found}, expected ${expected}. The file was left untouched: restore a backup or move it aside to start a new paper account`, { path: this.path, found: `${column}=${found}`, expected });
  }

  decimal(column: string, text: unknown, sign: 'nonneg' | 'positive'): Decimal {
    let value: Decimal | undefined;
    try {
      value = typeof text === 'string' ? Decimal.parse(text) : undefined;
    } catch {
      value = undefined;
    }
    const fits = value !== undefined && (sign === 'positive' ? value.isPositive() : !value.isNegative());
    if (!value || !fits) throw this.fail(column, JSON.stringify(text), sign === 'positive' ? 'a positive decimal' : 'a decimal >= 0');
    return value;
  }

  member<T extends string>(column: string, values: readonly T[], text: unknown): T {
    const value = typeof text === 'string' ? oneOf(values, text) : undefined;
    if (value === undefined) throw this.fail(column, JSON.stringify(text), `one of ${values.join(', ')}`);
    return value;
  }

  check(ok: boolean, column: string, found: string, expected: string): void {
    if (!ok) throw this.fail(column, found, expected);
  }
}

export function rowToOrder(row: OrderRow, path: string): PaperOrder {
  const r = new RowReader(path, `order seq ${row.seq} (${JSON.stringify(row.client_order_id)})`);
  r.check(typeof row.client_order_id === 'string' && CLIENT_ORDER_ID.test(row.client_order_id), 'client_order_id', JSON.stringify(row.client_order_id), '1-36 of [A-Za-z0-9_-]');
  const side: OrderSide = r.member('side', ORDER_SIDES, row.side);
  const type = r.member('type', ['limit', 'market'] as const, row.type);
  const tif: TimeInForce = r.member('tif', TIMES_IN_FORCE, row.tif);
  const status: OrderStatus = r.member('status', ORDER_STATUSES, row.status);
  const qty = r.decimal('qty', row.qty, 'positive');
  const base = { clientOrderId: row.client_order_id, symbol: row.symbol, side, qty };
  let request: PlaceOrderRequest;
  if (type === 'limit') {
    request = { ...base, type, tif, limitPx: r.decimal('limit_px', row.limit_px, 'positive') };
  } else {
    r.check(row.limit_px === null, 'limit_px', JSON.stringify(row.limit_px), 'null for a market order');
    r.check(tif !== 'GTC', 'tif', tif, 'IOC or FOK for a market order');
    request = { ...base, type, tif: tif === 'GTC' ? 'IOC' : tif };
  }
  const filledQty = r.decimal('filled_qty', row.filled_qty, 'nonneg');
  const locked = r.decimal('locked', row.locked, 'nonneg');
  r.check(filledQty.lte(qty), 'filled_qty', filledQty.toString(), `<= qty ${qty.toString()}`);
  r.check((status === 'filled') === filledQty.eq(qty), 'status', status, filledQty.eq(qty) ? 'filled (filled_qty = qty)' : 'not filled (filled_qty < qty)');
  r.check(!isOpenStatus(status) || (type === 'limit' && tif === 'GTC'), 'status', status, 'a closed status: only GTC limit orders rest');
  r.check(isOpenStatus(status) || locked.isZero(), 'locked', locked.toString(), `0 for a ${status} order`);
  r.check(row.fee_currency === row.quote_asset, 'fee_currency', JSON.stringify(row.fee_currency), `the quote asset ${JSON.stringify(row.quote_asset)}`);
  r.check(Number.isSafeInteger(row.created_at) && Number.isSafeInteger(row.updated_at), 'created_at/updated_at', `${String(row.created_at)}/${String(row.updated_at)}`, 'integer unix ms');
  return {
    request, status, filledQty, locked,
    seq: row.seq,
    exchangeOrderId: row.exchange_order_id,
    baseAsset: row.base_asset,
    quoteAsset: row.quote_asset,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    filledNotional: r.decimal('filled_notional', row.filled_notional, 'nonneg'),
    fee: r.decimal('fee', row.fee, 'nonneg'),
    lockPerUnit: r.decimal('lock_per_unit', row.lock_per_unit, 'positive'),
    ...(row.unfilled_because === null || row.unfilled_because === undefined ? {} : { unfilledBecause: r.member('unfilled_because', UNFILLED_REASONS, row.unfilled_because) }),
  };
}

export function rowToBalance(row: BalanceRow, path: string): Balance {
  const r = new RowReader(path, `balance ${JSON.stringify(row.asset)}`);
  return { asset: row.asset, free: r.decimal('free', row.free, 'nonneg'), locked: r.decimal('locked', row.locked, 'nonneg') };
}

/**
 * What open orders hold must be exactly what the wallets show as locked: orders and balances are
 * written in one transaction, so a mismatch can only be damage (or a hand edit).
 */
export function checkLocks(orders: Iterable<PaperOrder>, balances: readonly Balance[], path: string, lockAsset: (o: PaperOrder) => string): void {
  const held = new Map<string, Decimal>();
  for (const order of orders) {
    if (!isOpenStatus(order.status)) continue;
    const asset = lockAsset(order);
    held.set(asset, (held.get(asset) ?? Decimal.ZERO).add(order.locked));
  }
  const assets = new Set([...held.keys(), ...balances.map((b) => b.asset)]);
  for (const asset of assets) {
    const wallet = balances.find((b) => b.asset === asset)?.locked ?? Decimal.ZERO;
    const orders = held.get(asset) ?? Decimal.ZERO;
    if (!wallet.eq(orders)) {
      throw new PaperStateError('corrupt', `paper exchange state ${path}: balance ${asset} shows ${wallet.toString()} locked but its open orders hold ${orders.toString()}; the file contradicts itself. It was left untouched: restore a backup or move it aside`, { path, found: `locked ${wallet.toString()}`, expected: `locked ${orders.toString()}` });
    }
  }
}
