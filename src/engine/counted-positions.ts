import type { Decimal } from '../domain/decimal.js';
import type { PositionRecord } from '../store/records.js';

/**
 * How many open positions count against max_open_positions: those worth at least their market's
 * minimum order value at the last price. A position below it (the remainder of a partial fill, or
 * one the price has crushed) cannot be sold as an order (EXIT_BLOCKED) and risks less than that
 * minimum; counted, it held the only slot for a whole month while every other symbol was refused.
 * A position with no price or no known minimum yet counts: not knowing is no reason to open more.
 */
export function countedOpenPositions(
  positions: readonly PositionRecord[],
  lastPrice: (symbol: string) => Decimal | undefined,
  minNotional: (symbol: string) => Decimal | undefined,
): number {
  let counted = 0;
  for (const position of positions) {
    const price = lastPrice(position.symbol);
    const minimum = minNotional(position.symbol);
    if (price === undefined || minimum === undefined || !position.qty.mul(price).lt(minimum)) counted++;
  }
  return counted;
}
