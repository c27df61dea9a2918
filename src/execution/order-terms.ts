import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import { limitPriceFor, qtyForBudget, roundQty } from '../domain/order-rounding.js';
import { effectiveMinNotional, validateOrder, type OrderRuleViolation, type ValidOrder } from '../domain/order-validation.js';
import type { Result } from '../domain/result.js';
import type { OrderIntent } from './order-intent.js';

/** The parts of an intent that decide what order it becomes on its market. */
export type OrderSizing = Pick<OrderIntent, 'side' | 'size' | 'referencePx' | 'slippageBps' | 'minNotional'>;

/** The order an intent becomes: what ORDER_CONTEXT records and the market rules' verdict on it. */
export interface OrderTerms {
  readonly qty: Decimal;
  readonly limitPx: Decimal;
  /** qty x limitPx: the order value the minimum notional is held against. */
  readonly notional: Decimal;
  readonly quoteBudget: Decimal;
  readonly minNotional: Decimal;
  readonly valid: Result<ValidOrder, OrderRuleViolation>;
}

/**
 * The router's sizing and validation of an intent, as one pure function: the router sends only
 * when `valid` is ok, and a caller that must know beforehand whether an order would be refused (an
 * exit of a position worth less than the minimum notional) asks this same function, so the two
 * cannot disagree.
 */
export function orderTerms(rules: MarketRules, intent: OrderSizing): OrderTerms {
  const limitPx = limitPriceFor(rules, intent.side, intent.referencePx, Decimal.from(intent.slippageBps));
  const qty = 'qty' in intent.size ? roundQty(rules, intent.size.qty) : qtyForBudget(rules, intent.size.quoteBudget, limitPx);
  const notional = qty.mul(limitPx);
  const quoteBudget = 'quoteBudget' in intent.size ? intent.size.quoteBudget : notional;
  const minNotional = effectiveMinNotional(rules, intent.minNotional);
  const valid = validateOrder(rules, { side: intent.side, qty, price: limitPx, minNotional });
  return { qty, limitPx, notional, quoteBudget, minNotional, valid };
}
