import type { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import { orderTerms, type OrderSizing, type OrderTerms } from '../execution/order-terms.js';

/** The exit sell of a position's `qty`, priced from the bar close: the pre-check and the routed intent share it. */
export function exitSizing(qty: Decimal, close: Decimal, slippageBps: number): OrderSizing {
  return { side: 'sell', size: { qty }, referencePx: close, slippageBps };
}

/** Whether an exit sell may be sent now, with the order it would be (what EXIT_BLOCKED reports). */
export type ExitCheck =
  | { readonly code: 'send'; readonly terms: OrderTerms }
  | { readonly code: 'below_min_notional'; readonly terms: OrderTerms; readonly message: string }
  /** The position is smaller than the market trades (a residue of lot rounding or a fee): no price helps. */
  | { readonly code: 'below_min_qty'; readonly terms: OrderTerms; readonly message: string }
  | { readonly code: 'not_above_refused'; readonly terms: OrderTerms; readonly message: string };

/**
 * The exit's pre-check. It asks `orderTerms`, the router's own sizing and validation, so a sell it
 * passes is never refused by the router for its value, and one it holds back would have been.
 * `refusedNotional` is an order value the router or the exchange refused for its value although
 * the rules passed it (an exchange stricter than its published minimum): only a sell worth more is
 * tried again. A quantity the market cannot trade (below its minimum, or nothing left after rounding
 * to the lot) is held back too: the router would refuse it on every bar, whatever the price. Other
 * violations are left to the router to report.
 */
export function checkExit(rules: MarketRules, sizing: OrderSizing, refusedNotional: Decimal | null): ExitCheck {
  const terms = orderTerms(rules, sizing);
  if (!terms.valid.ok) {
    const { code, message } = terms.valid.error;
    if (code === 'notional_below_min') return { code: 'below_min_notional', terms, message };
    if (code === 'qty_below_min' || code === 'qty_not_positive') return { code: 'below_min_qty', terms, message };
    return { code: 'send', terms };
  }
  if (refusedNotional !== null && terms.notional.lte(refusedNotional)) {
    return {
      code: 'not_above_refused', terms,
      message: `order value ${terms.notional.toString()} ${rules.quoteAsset} is not above ${refusedNotional.toString()}, which was already refused as below the minimum`,
    };
  }
  return { code: 'send', terms };
}
