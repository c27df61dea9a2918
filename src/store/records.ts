import type { Decimal } from '../domain/decimal.js';
import type { ExitRule } from '../recorder/events/order-events.js';

export type OrderSide = 'buy' | 'sell';

/**
 * An order's life as the store sees it. `pending` is written before the order is sent, so a crash
 * between sending and hearing back leaves a record to reconcile rather than an order nobody knows of.
 */
export const ORDER_STATUSES = ['pending', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'not_found', 'unknown'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses whose order may still change at the exchange: reconciled at every start. */
export const UNSETTLED_STATUSES: readonly OrderStatus[] = ['pending', 'open', 'partially_filled', 'unknown'];

/** Which status may follow which: anything else is a bug in the caller, refused as invalid_operation. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['open', 'partially_filled', 'filled', 'canceled', 'rejected', 'not_found', 'unknown'],
  open: ['open', 'partially_filled', 'filled', 'canceled', 'unknown'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'unknown'],
  unknown: ['open', 'partially_filled', 'filled', 'canceled', 'rejected', 'not_found', 'unknown'],
  filled: [],
  canceled: [],
  rejected: [],
  not_found: [],
};

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

export function isUnsettled(status: OrderStatus): boolean {
  return UNSETTLED_STATUSES.includes(status);
}

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly intentId: string;
  readonly decisionId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: Decimal;
  readonly limitPx: Decimal;
  readonly status: OrderStatus;
  /** For a sell that exits a position: the rule that fired, so a fill booked after a restart can say why. */
  readonly exitRule: ExitRule | undefined;
  readonly exchangeOrderId: string | undefined;
  /** Cumulative quantity, notional and fee already booked into positions and balances. */
  readonly filledQty: Decimal;
  readonly filledNotional: Decimal;
  readonly feeBooked: Decimal;
  readonly feeCurrency: string | undefined;
  readonly createdAt: number /* ms UTC */;
  readonly updatedAt: number /* ms UTC */;
}

export interface PositionRecord {
  readonly id: number;
  readonly symbol: string;
  readonly qty: Decimal;
  /** Average fill price of the quantity held, fees excluded. */
  readonly entryPx: Decimal;
  /** Entry fees (quote) of the quantity still held; released into realized PnL as it is sold. */
  readonly entryFees: Decimal;
  /** Every fee paid on this position so far, entry and exit, in quote. */
  readonly feesPaid: Decimal;
  /** Realized PnL of the part already sold, fees included. */
  readonly realizedPnl: Decimal;
  /** Highest price seen while open: the trailing stop's anchor. */
  readonly peakPx: Decimal;
  /** The decision that opened it: every line of its exit carries this id. */
  readonly decisionId: string;
  readonly openedAt: number /* ms UTC */;
  readonly updatedAt: number /* ms UTC */;
}

export interface DailyPnl {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  readonly closedTrades: number;
}

export interface SymbolExit {
  readonly symbol: string;
  readonly exitedAt: number /* ms UTC */;
  readonly decisionId: string;
}

/** Everything a starting session needs, read in one transaction. */
export interface StateSnapshot {
  readonly positions: readonly PositionRecord[];
  readonly openOrders: readonly OrderRecord[];
  readonly balances: ReadonlyMap<string, Decimal>;
  readonly realizedPnl: Decimal;
  readonly dailyPnl: readonly DailyPnl[];
  readonly lastExits: ReadonlyMap<string, SymbolExit>;
}
