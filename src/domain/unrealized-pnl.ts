import type { Decimal } from './decimal.js';

/** A position as its open PnL needs it: what it holds, what that cost, and the fees paid to enter. */
export interface CostedPosition {
  readonly qty: Decimal;
  /** Quote paid for `qty`, fees excluded, exact. */
  readonly entryCost: Decimal;
  /** Entry fees (quote) of the quantity held. */
  readonly entryFees: Decimal;
}

/**
 * What selling the whole position at `price` would realize: its value less its exact cost and entry
 * fees. From the cost, not the rounded average price, so it is what realized PnL would book.
 */
export function unrealizedPnl(position: CostedPosition, price: Decimal): Decimal {
  return price.mul(position.qty).sub(position.entryCost).sub(position.entryFees);
}
