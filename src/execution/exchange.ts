import type { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import type { OrderStatus } from '../domain/order-state.js';
import type { OrderSide, TimeInForce } from '../domain/order-types.js';
import type { ExchangeResult } from './exchange-error.js';

export interface Balance {
  readonly asset: string;
  /** Spendable now. */
  readonly free: Decimal;
  /** Held by open orders. */
  readonly locked: Decimal;
}

interface OrderRequestBase {
  /** Ours, unique per attempt (see client-order-id.ts): the key that makes a resend detectable. */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** Base quantity, already on the market's lot. */
  readonly qty: Decimal;
}

export type PlaceOrderRequest =
  | (OrderRequestBase & { readonly type: 'limit'; readonly limitPx: Decimal; readonly tif: TimeInForce })
  /** A market order takes what the book offers now, so it cannot rest: IOC or FOK only. */
  | (OrderRequestBase & { readonly type: 'market'; readonly tif: 'IOC' | 'FOK' });

/** An order as the exchange reports it. */
export interface ExchangeOrder {
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: 'limit' | 'market';
  readonly tif: TimeInForce;
  readonly qty: Decimal;
  readonly limitPx: Decimal | null;
  readonly status: OrderStatus;
  readonly filledQty: Decimal;
  /**
   * Exact cumulative sum of fill qty x price. avgPx is this divided by filledQty and so rounded;
   * whoever books money from an order uses this, or balances drift from the exchange's.
   */
  readonly filledNotional: Decimal;
  /** Volume-weighted fill price; null while nothing filled. */
  readonly avgPx: Decimal | null;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  /** Unix ms when the exchange accepted it. */
  readonly createdAt: number;
  /**
   * Unix ms of the order's latest change at the exchange: for a filled order its latest fill (in a
   * replay, that bar's time). A fill found late is booked at this time, not when it was found.
   */
  readonly updatedAt: number;
  /**
   * Why an order that may not rest (IOC, FOK) expired with nothing filled, when the venue says: its
   * limit was beyond the market, or it was marketable and the market had no volume for it. A venue
   * that answers only "expired" (most do) leaves it out, and the router cannot tell the two apart.
   */
  readonly unfilledBecause?: UnfilledReason;
}

/** See ExchangeOrder.unfilledBecause. */
export const UNFILLED_REASONS = ['beyond_limit', 'no_liquidity'] as const;
export type UnfilledReason = (typeof UNFILLED_REASONS)[number];

/**
 * The port every exchange adapter implements (paper now, live later); `runExchangeContract` in
 * exchange-contract.ts is the behaviour each must show. Failures are results, not exceptions: a
 * timeout or a rejection is an everyday outcome the caller must handle.
 */
export interface Exchange {
  readonly name: string;
  markets(): Promise<ExchangeResult<readonly MarketRules[]>>;
  balances(): Promise<ExchangeResult<readonly Balance[]>>;
  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>>;
  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>>;
  /** Cancels an open order; answers with its final state (a filled order stays filled). */
  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>>;
}
