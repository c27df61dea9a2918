import type { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import type { PositionRecord } from '../store/records.js';
import { checkExit, exitSizing } from './exit-check.js';

/**
 * How many open positions count against max_open_positions: those an exit could sell at the last
 * price, asked of the exit's own pre-check (lot rounding, the limit's slippage, minimum quantity
 * and order value). A position it holds back (the remainder of a partial fill, one the price has
 * crushed) risks less than the market's minimum order; counted, it held the only slot for a whole
 * month while every other symbol was refused. A position with no price or no market rules yet
 * counts: not knowing is no reason to open more.
 */
export function countedOpenPositions(
  positions: readonly PositionRecord[],
  lastPrice: (symbol: string) => Decimal | undefined,
  rulesOf: (symbol: string) => MarketRules | undefined,
  slippageBps: number,
): number {
  let counted = 0;
  for (const position of positions) {
    const price = lastPrice(position.symbol);
    const rules = rulesOf(position.symbol);
    if (price === undefined || rules === undefined || checkExit(rules, exitSizing(position.qty, price, slippageBps), null).code === 'send') counted++;
  }
  return counted;
}
