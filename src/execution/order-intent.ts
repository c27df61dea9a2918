import type { Decimal } from '../domain/decimal.js';
import type { OrderStatus } from '../domain/order-state.js';
import type { OrderSide, TimeInForce } from '../domain/order-types.js';
import type { Result } from '../domain/result.js';
import type { OrderFailureReason } from '../recorder/events/order-events.js';

/** What the engine asks the router to do: one order, with its budget and execution constraints. */
export interface OrderIntent {
  /** `int_<hex>` from `newIntentId()`; every line of the intent carries it. */
  readonly intentId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** A buy spends up to a quote budget (fee included); an exit sells a base quantity. */
  readonly size: { readonly quoteBudget: Decimal } | { readonly qty: Decimal };
  /** The price the decision saw; the limit is `slippageBps` away from it, against us. */
  readonly referencePx: Decimal;
  readonly slippageBps: number;
  readonly tif: TimeInForce;
  /** A minimum order value stricter than the market's (from config); the larger applies. */
  readonly minNotional?: Decimal;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Base of the exponential backoff with full jitter (see retry-backoff.ts). */
  readonly retryBackoffMs: number;
}

/** What the exchange did with the intent's order. */
export interface OrderFill {
  readonly intentId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** The attempt whose order this is, and its client order id. */
  readonly attempt: number;
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly status: OrderStatus;
  readonly requestedQty: Decimal;
  readonly limitPx: Decimal;
  readonly filledQty: Decimal;
  /** null when nothing filled (a GTC order still resting). */
  readonly avgPx: Decimal | null;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  /** Less than requested filled. */
  readonly partial: boolean;
  /** Still on the book (GTC): later fills come from fetching it by client order id. */
  readonly open: boolean;
}

export interface OrderFailure {
  readonly reason: OrderFailureReason;
  /** What happened, with the exchange's message; credentials stripped. */
  readonly message: string;
  readonly clientOrderId?: string;
  /**
   * What the exchange had already done when the intent failed, e.g. a fill whose log line could
   * not be written (reason `recorder_unavailable`). The engine must book it: the trade happened.
   */
  readonly fill?: OrderFill;
}

export type OrderResult = Result<OrderFill, OrderFailure>;
