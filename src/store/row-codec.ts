import { Decimal, DecimalError } from '../domain/decimal.js';
import { EXIT_RULES, type ExitRule } from '../recorder/events/order-events.js';
import { isStoredOrderStatus, type OrderRecord, type PositionRecord } from './records.js';
import { StoreError } from './store-error.js';

/** Rows as better-sqlite3 returns them: decimals are TEXT, times INTEGER ms. */
export interface OrderRow {
  client_order_id: string;
  intent_id: string;
  decision_id: string;
  symbol: string;
  side: string;
  qty: string;
  limit_px: string;
  status: string;
  exit_rule: string | null;
  exchange_order_id: string | null;
  filled_qty: string;
  filled_notional: string;
  fee_booked: string;
  fee_currency: string | null;
  created_at: number;
  updated_at: number;
}

export interface PositionRow {
  id: number;
  symbol: string;
  status: string;
  qty: string;
  entry_px: string;
  entry_cost: string;
  entry_fees: string;
  fees_paid: string;
  realized_pnl: string;
  peak_px: string;
  decision_id: string;
  opened_at: number;
  updated_at: number;
  closed_at: number | null;
}

/**
 * Reads a decimal column. A value that does not parse means the file was edited or damaged:
 * refusing to load beats trading on a balance the store made up.
 */
export function decimalColumn(path: string, where: string, column: string, text: string): Decimal {
  try {
    return Decimal.parse(text);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    throw new StoreError('invalid_row', `${path}: ${where} column ${column} holds ${JSON.stringify(text)}; expected exact decimal text such as 45000.5`, { path, found: text, expected: 'decimal text' }, { cause: error });
  }
}

export function isExitRule(value: string): value is ExitRule {
  return (EXIT_RULES as readonly string[]).includes(value);
}

export function orderFromRow(path: string, row: OrderRow): OrderRecord {
  const where = `orders row ${row.client_order_id}`;
  const d = (column: string, text: string): Decimal => decimalColumn(path, where, column, text);
  if (!isStoredOrderStatus(row.status)) {
    throw new StoreError('invalid_row', `${path}: ${where} has status ${JSON.stringify(row.status)}; expected one of the order statuses`, { path, found: row.status, expected: 'an order status' });
  }
  if (row.side !== 'buy' && row.side !== 'sell') {
    throw new StoreError('invalid_row', `${path}: ${where} has side ${JSON.stringify(row.side)}; expected buy or sell`, { path, found: row.side, expected: 'buy | sell' });
  }
  if (row.exit_rule !== null && !isExitRule(row.exit_rule)) {
    throw new StoreError('invalid_row', `${path}: ${where} has exit_rule ${JSON.stringify(row.exit_rule)}; expected one of ${EXIT_RULES.join(', ')}`, { path, found: row.exit_rule, expected: EXIT_RULES.join(' | ') });
  }
  return {
    clientOrderId: row.client_order_id,
    intentId: row.intent_id,
    decisionId: row.decision_id,
    symbol: row.symbol,
    side: row.side,
    qty: d('qty', row.qty),
    limitPx: d('limit_px', row.limit_px),
    status: row.status,
    exitRule: row.exit_rule ?? undefined,
    exchangeOrderId: row.exchange_order_id ?? undefined,
    filledQty: d('filled_qty', row.filled_qty),
    filledNotional: d('filled_notional', row.filled_notional),
    feeBooked: d('fee_booked', row.fee_booked),
    feeCurrency: row.fee_currency ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function positionFromRow(path: string, row: PositionRow): PositionRecord {
  const where = `positions row ${row.id} (${row.symbol})`;
  const d = (column: string, text: string): Decimal => decimalColumn(path, where, column, text);
  return {
    id: row.id,
    symbol: row.symbol,
    qty: d('qty', row.qty),
    entryPx: d('entry_px', row.entry_px),
    entryCost: d('entry_cost', row.entry_cost),
    entryFees: d('entry_fees', row.entry_fees),
    feesPaid: d('fees_paid', row.fees_paid),
    realizedPnl: d('realized_pnl', row.realized_pnl),
    peakPx: d('peak_px', row.peak_px),
    decisionId: row.decision_id,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
  };
}

/** `YYYY-MM-DD` (UTC) of a time in ms: the key of the daily realized PnL. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
