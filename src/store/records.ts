import type { Decimal } from '../domain/decimal.js';
import { ORDER_STATUSES } from '../domain/order-state.js';
import type { OrderSide } from '../domain/order-types.js';
import type { ExitRule } from '../recorder/events/order-events.js';

export type { OrderSide };

/**
 * An order's status as the store keeps it: the domain's order states plus two that only
 * reconciliation can give. `new` is written before the order is sent, so a crash between sending and
 * hearing back leaves a record to reconcile rather than an order nobody knows of. `unknown`: the
 * exchange could not be asked (timeout, outage); still reconciled at the next start. `not_found`: the
 * exchange never received it; final, and never sent again.
 */
export const STORED_ORDER_STATUSES = [...ORDER_STATUSES, 'not_found', 'unknown'] as const;
export type StoredOrderStatus = (typeof STORED_ORDER_STATUSES)[number];

/** Statuses whose order may still change at the exchange: reconciled at every start. */
export const UNSETTLED_STATUSES: readonly StoredOrderStatus[] = ['new', 'submitted', 'partially_filled', 'pending_cancel', 'unknown'];

const ANY_AFTER_NEW: readonly StoredOrderStatus[] = ['submitted', 'partially_filled', 'pending_cancel', 'filled', 'canceled', 'rejected', 'expired', 'failed', 'not_found', 'unknown'];

/**
 * Which status may follow which. Wider than the domain's table where the store may learn of a state
 * late (a fill reported straight after `new`; anything after `unknown`), never backwards from a final one.
 */
export const STORED_ORDER_TRANSITIONS: Readonly<Record<StoredOrderStatus, readonly StoredOrderStatus[]>> = {
  new: ANY_AFTER_NEW,
  submitted: ['submitted', 'partially_filled', 'pending_cancel', 'filled', 'canceled', 'rejected', 'expired', 'failed', 'unknown'],
  partially_filled: ['partially_filled', 'pending_cancel', 'filled', 'canceled', 'expired', 'unknown'],
  pending_cancel: ['pending_cancel', 'partially_filled', 'filled', 'canceled', 'expired', 'unknown'],
  unknown: ANY_AFTER_NEW,
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
  failed: [],
  not_found: [],
};

export function isStoredOrderStatus(value: string): value is StoredOrderStatus {
  return (STORED_ORDER_STATUSES as readonly string[]).includes(value);
}

export function isUnsettled(status: StoredOrderStatus): boolean {
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
  readonly status: StoredOrderStatus;
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
  /** Average fill price of the quantity held, fees excluded: entryCost / qty, rounded (for display and exit prices). */
  readonly entryPx: Decimal;
  /**
   * What the quantity held cost (quote, fees excluded), exact: realized PnL releases it as the
   * position is sold, so PnL never inherits the rounding of the average price.
   */
  readonly entryCost: Decimal;
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

/**
 * Realized PnL, fees and closed trades of one UTC day in one quote currency: amounts of different
 * currencies are never added together (a BTC loss is not a USD loss).
 */
export interface DailyPnl {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  /** The quote currency of the markets that booked it: always a real currency (see UnsplitDailyPnl for days that have none). */
  readonly currency: string;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  readonly closedTrades: number;
}

/**
 * A day booked before schema 3 (one row per day, every currency added together) that migration 3
 * could give to no one quote currency: two or more booked on it (or nothing left in the file says
 * who did, and the file traded in several, or in none). Kept whole, apart from every currency's
 * PnL: no total of one currency includes it, and a reader that shows it says it is unsplit.
 */
export interface UnsplitDailyPnl {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  /** The currencies whose markets booked on that day, sorted; empty when the file names none (no position or order it holds traded). */
  readonly currencies: readonly string[];
  /** The day's realized PnL, fees and closed trades of all of them together, as booked. */
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
  /** Realized PnL over the database's life, per quote currency (real currencies only). */
  readonly realizedPnl: ReadonlyMap<string, Decimal>;
  /** Each currency's days; days from before schema 3 that no one currency can be given are apart (StateStore.unsplitPnl). */
  readonly dailyPnl: readonly DailyPnl[];
  readonly lastExits: ReadonlyMap<string, SymbolExit>;
}
