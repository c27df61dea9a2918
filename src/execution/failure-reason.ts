import type { OrderRule } from '../domain/order-validation.js';
import type { OrderFailureReason } from '../recorder/events/order-events.js';
import type { ExchangeError } from './exchange-error.js';

/** The ORDER_FAILED reason for a market rule the order broke. */
export function reasonForRule(rule: OrderRule | 'unknown_symbol' | 'unsupported'): OrderFailureReason {
  switch (rule) {
    case 'notional_below_min':
      return 'min_notional';
    case 'qty_below_min':
    case 'qty_not_positive':
      return 'min_qty';
    default:
      return 'invalid_order';
  }
}

/** The ORDER_FAILED reason for the exchange error that ended an intent. */
export function reasonForError(error: ExchangeError): OrderFailureReason {
  switch (error.code) {
    case 'timeout':
      return 'timeout_exhausted';
    case 'rate_limited':
      return 'rate_limited';
    case 'network':
      return 'network';
    case 'unavailable':
      return 'exchange_unavailable';
    case 'insufficient_balance':
      return 'insufficient_balance';
    case 'invalid_order':
      return reasonForRule(error.rule);
    case 'rejected':
    case 'duplicate_order':
      return 'rejected';
    case 'not_found':
      return 'unknown';
  }
}
