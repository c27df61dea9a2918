import type { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import type { PositionRecord } from '../store/records.js';
import { checkExit, exitSizing } from './exit-check.js';

/** What one position's exit check has shown so far, valid while its quantity and market stay the same. */
interface Bounds {
  readonly rules: MarketRules;
  readonly qty: Decimal;
  /** The lowest price at which the exit could sell it, of those checked. */
  sellableFrom: Decimal | undefined;
  /** The highest price at which it could not, of those checked. */
  unsellableUpTo: Decimal | undefined;
}

/**
 * How many open positions count against max_open_positions: those an exit could sell at the last
 * price, asked of the exit's own pre-check (lot rounding, the limit's slippage, minimum quantity
 * and order value). A position it holds back (the remainder of a partial fill, one the price has
 * crushed) risks less than the market's minimum order; counted, it held the only slot for a whole
 * month while every other symbol was refused. A position with no price or no market rules yet
 * counts: not knowing is no reason to open more.
 *
 * The guard asks on every bar while the positions are at the limit, and the full check costs more
 * than the rest of the bar (it made the engine 25% slower). Whether a quantity can be sold only
 * grows with the price (the other conditions do not depend on it), so each answer bounds the
 * next: a price at or above one found sellable is sellable, one at or below one found unsellable
 * is not, and only a price between the two is checked.
 */
export class CountedPositions {
  private readonly bounds = new Map<string, Bounds>();

  constructor(private readonly slippageBps: number) {}

  count(positions: readonly PositionRecord[], lastPrice: (symbol: string) => Decimal | undefined, rulesOf: (symbol: string) => MarketRules | undefined): number {
    let counted = 0;
    for (const position of positions) {
      const price = lastPrice(position.symbol);
      const rules = rulesOf(position.symbol);
      if (price === undefined || rules === undefined || this.sellable(position, price, rules)) counted++;
    }
    return counted;
  }

  /** Whether the exit could sell `position` at `price`, as its pre-check would answer (bounded by earlier answers). */
  sellable(position: PositionRecord, price: Decimal, rules: MarketRules): boolean {
    let known = this.bounds.get(position.symbol);
    if (known === undefined || known.rules !== rules || !known.qty.eq(position.qty)) {
      known = { rules, qty: position.qty, sellableFrom: undefined, unsellableUpTo: undefined };
      this.bounds.set(position.symbol, known);
    }
    if (known.sellableFrom !== undefined && price.gte(known.sellableFrom)) return true;
    if (known.unsellableUpTo !== undefined && price.lte(known.unsellableUpTo)) return false;
    const sellable = checkExit(rules, exitSizing(position.qty, price, this.slippageBps), null).code === 'send';
    if (sellable) known.sellableFrom = price;
    else known.unsellableUpTo = price;
    return sellable;
  }
}
