import { Decimal } from './decimal.js';
import type { MarketRules } from './market-rules.js';
import { roundQty, roundLimitPrice } from './order-rounding.js';
import type { OrderSide } from './order-types.js';
import { err, ok, type Result } from './result.js';

/** Which market rule an order breaks. */
export const ORDER_RULES = [
  'qty_not_positive',
  'qty_off_lot',
  'qty_below_min',
  'price_not_positive',
  'price_off_tick',
  'notional_below_min',
] as const;
export type OrderRule = (typeof ORDER_RULES)[number];

export interface OrderRuleViolation {
  readonly code: OrderRule;
  readonly message: string;
}

export interface OrderDraft {
  readonly side: OrderSide;
  readonly qty: Decimal;
  /** The limit price, or for a market order the price it is expected to fill near. */
  readonly price: Decimal;
  /** A stricter minimum order value than the market's (e.g. from config); the larger one applies. */
  readonly minNotional?: Decimal;
}

/** An order that passed every rule of its market. */
export interface ValidOrder {
  readonly side: OrderSide;
  readonly qty: Decimal;
  readonly price: Decimal;
  readonly notional: Decimal;
}

export function effectiveMinNotional(rules: MarketRules, minNotional?: Decimal): Decimal {
  return minNotional ? Decimal.max(rules.minNotional, minNotional) : rules.minNotional;
}

/** Checks an order against its market's rules, as the exchange would; no rounding. */
export function validateOrder(rules: MarketRules, draft: OrderDraft): Result<ValidOrder, OrderRuleViolation> {
  const { qty, price } = draft;
  const fail = (code: OrderRule, message: string) => err<OrderRuleViolation>({ code, message: `${rules.symbol}: ${message}` });
  if (!qty.isPositive()) return fail('qty_not_positive', `quantity ${qty.toString()} must be positive`);
  if (!qty.isMultipleOf(rules.lotSize)) {
    return fail('qty_off_lot', `quantity ${qty.toString()} is not a multiple of the lot size ${rules.lotSize.toString()}`);
  }
  if (qty.lt(rules.minQty)) {
    return fail('qty_below_min', `quantity ${qty.toString()} is below the minimum quantity ${rules.minQty.toString()}`);
  }
  if (!price.isPositive()) return fail('price_not_positive', `price ${price.toString()} must be positive`);
  if (!price.isMultipleOf(rules.tickSize)) {
    return fail('price_off_tick', `price ${price.toString()} is not a multiple of the tick size ${rules.tickSize.toString()}`);
  }
  const notional = qty.mul(price);
  const minNotional = effectiveMinNotional(rules, draft.minNotional);
  if (notional.lt(minNotional)) {
    return fail(
      'notional_below_min',
      `order value ${notional.toString()} ${rules.quoteAsset} (${qty.toString()} x ${price.toString()}) is below the minimum notional ${minNotional.toString()}`,
    );
  }
  return ok({ side: draft.side, qty, price, notional });
}

/**
 * Rounds an order to its market (quantity down to the lot, price to the tick in the side's safe
 * direction), then validates it: the result always passes the rules, or is refused before sending.
 */
export function roundAndValidate(rules: MarketRules, draft: OrderDraft): Result<ValidOrder, OrderRuleViolation> {
  const rounded: OrderDraft = {
    ...draft,
    qty: draft.qty.isPositive() ? roundQty(rules, draft.qty) : draft.qty,
    price: draft.price.isPositive() ? roundLimitPrice(rules, draft.side, draft.price) : draft.price,
  };
  return validateOrder(rules, rounded);
}
