import { Decimal } from './decimal.js';
import { feeFor } from './order-rounding.js';

/** A position as its open PnL needs it: what it holds, what that cost, and the fees paid to enter. */
export interface CostedPosition {
  readonly qty: Decimal;
  /** Quote paid for `qty`, fees excluded, exact. */
  readonly entryCost: Decimal;
  /** Entry fees (quote) of the quantity held. */
  readonly entryFees: Decimal;
}

/**
 * What selling the whole position at `price` would realize: its value less the fee the sale would
 * pay, its exact cost and its entry fees. From the cost, not the rounded average price, and with the
 * exit fee that realized PnL books, so a position sold at `price` books this amount: without the
 * exit fee a position shown +0.0258 booked -0.0204 when sold at that very close.
 *
 * `exitFeeRate` is the market's taker rate (an exit crosses the book). A caller without the market's
 * rules leaves it out and gets the rate the position's entry paid (entry fees over entry cost): the
 * taker rate for a buy that crossed, but the maker rate, so too small an exit fee, for a buy that
 * rested and filled as a maker.
 */
export function unrealizedPnl(position: CostedPosition, price: Decimal, exitFeeRate: Decimal = entryFeeRate(position)): Decimal {
  const value = price.mul(position.qty);
  return value.sub(feeFor(value, exitFeeRate)).sub(position.entryCost).sub(position.entryFees);
}

/** The fee rate the position's entry paid; zero for a position that cost nothing (nothing to divide by). */
function entryFeeRate(position: CostedPosition): Decimal {
  return position.entryCost.isPositive() ? position.entryFees.div(position.entryCost, 18, 'half_even') : Decimal.ZERO;
}
