import type { Decimal } from '../../domain/decimal.js';
import type { OrderStatus } from '../../domain/order-state.js';
import type { ExchangeOrder, PlaceOrderRequest, UnfilledReason } from '../exchange.js';

/**
 * One order as the paper exchange keeps it. It carries its market's assets rather than the market's
 * rules, so an order reloaded from the state file stays readable (and cancelable) even when its
 * market is no longer configured; fee rates are looked up when a fill happens, as a real exchange
 * charges the fee tier in force at the time of the trade.
 */
export interface PaperOrder {
  readonly request: PlaceOrderRequest;
  /** The account's order counter when it was accepted: exchange order ids and time priority. */
  readonly seq: number;
  readonly exchangeOrderId: string;
  readonly baseAsset: string;
  /** Fees are charged in the quote asset. */
  readonly quoteAsset: string;
  readonly createdAt: number;
  updatedAt: number;
  status: OrderStatus;
  filledQty: Decimal;
  filledNotional: Decimal;
  fee: Decimal;
  /** Funds still locked for the unfilled rest, and how much is locked per base unit. */
  locked: Decimal;
  readonly lockPerUnit: Decimal;
  /** Set when an IOC or FOK order expired with nothing filled: why, as the exchange answers it. */
  unfilledBecause?: UnfilledReason;
}

/** The asset an open order holds: quote for a buy (what it may spend), base for a sell. */
export function lockAssetOf(order: Pick<PaperOrder, 'request' | 'baseAsset' | 'quoteAsset'>): string {
  return order.request.side === 'buy' ? order.quoteAsset : order.baseAsset;
}

export function averagePrice(order: Pick<PaperOrder, 'filledQty' | 'filledNotional'>): Decimal | null {
  return order.filledQty.isPositive() ? order.filledNotional.div(order.filledQty, 18, 'half_even') : null;
}

/** The order as the exchange port reports it. */
export function viewOrder(order: PaperOrder): ExchangeOrder {
  const { request } = order;
  return {
    clientOrderId: request.clientOrderId,
    exchangeOrderId: order.exchangeOrderId,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    tif: request.tif,
    qty: request.qty,
    limitPx: request.type === 'limit' ? request.limitPx : null,
    status: order.status,
    filledQty: order.filledQty,
    filledNotional: order.filledNotional,
    avgPx: averagePrice(order),
    fee: order.fee,
    feeCurrency: order.quoteAsset,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    ...(order.unfilledBecause ? { unfilledBecause: order.unfilledBecause } : {}),
  };
}
