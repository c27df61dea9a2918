import { Decimal } from './decimal.js';
import type { MarketRules } from './market-rules.js';
import type { OrderSide } from './order-types.js';

const BPS = Decimal.parse('10000');

/** Rounds a quantity down to the lot: rounding never buys or sells more than was asked. */
export function roundQty(rules: MarketRules, qty: Decimal): Decimal {
  return qty.quantize(rules.lotSize, 'down');
}

/**
 * Rounds a limit price to the tick in the direction that never exceeds the caller's price limit:
 * a buy rounds down (never pays more), a sell rounds up (never sells for less). The cost is a
 * slightly less marketable order, which an IOC may leave unfilled; the alternative would silently
 * widen the slippage the operator allowed.
 */
export function roundLimitPrice(rules: MarketRules, side: OrderSide, price: Decimal): Decimal {
  return price.quantize(rules.tickSize, side === 'buy' ? 'down' : 'up');
}

/**
 * The limit price that allows `slippageBps` basis points from the reference price: above it for a
 * buy, below it for a sell, rounded to the tick by `roundLimitPrice`.
 */
export function limitPriceFor(
  rules: MarketRules,
  side: OrderSide,
  referencePx: Decimal,
  slippageBps: Decimal,
): Decimal {
  const factor = side === 'buy' ? BPS.add(slippageBps) : BPS.sub(slippageBps);
  // Divide toward the safe side too, so truncation can never push a sell below its floor.
  const raw = referencePx.mul(factor).div(BPS, Math.max(18, rules.tickSize.scale + 2), side === 'buy' ? 'down' : 'up');
  return roundLimitPrice(rules, side, raw);
}

/**
 * The largest quantity on the lot whose cost at `limitPx`, taker fee included, fits in
 * `quoteBudget`: spending never exceeds the budget, even when the order fills entirely as taker.
 */
export function qtyForBudget(rules: MarketRules, quoteBudget: Decimal, limitPx: Decimal): Decimal {
  if (!limitPx.isPositive() || !quoteBudget.isPositive()) return Decimal.ZERO;
  const costPerUnit = limitPx.mul(Decimal.ONE.add(rules.takerFeeRate));
  const raw = quoteBudget.div(costPerUnit, Math.max(18, rules.lotSize.scale + 2), 'down');
  return roundQty(rules, raw);
}

/** The smallest buy a market takes at one limit price, and what it costs. */
export interface SmallestBuy {
  readonly qty: Decimal;
  /** qty x limit price, taker fee included: the least a budget must hold for qtyForBudget to reach qty. */
  readonly cost: Decimal;
}

/**
 * The smallest quantity on the lot that meets the market's minimum quantity and minimum order value
 * at `limitPx`, and its cost with the taker fee. A budget below that cost sizes a buy the market
 * refuses (qtyForBudget rounds down to the lot and reserves the fee), so the buy guard asks this
 * before an order is made, not the router after.
 */
export function smallestBuy(rules: MarketRules, limitPx: Decimal, minNotional: Decimal = rules.minNotional): SmallestBuy {
  const forValue = limitPx.isPositive() ? minNotional.div(limitPx, Math.max(18, rules.lotSize.scale + 2), 'up') : rules.minQty;
  const qty = Decimal.max(rules.minQty, forValue).quantize(rules.lotSize, 'up');
  return { qty, cost: qty.mul(limitPx).mul(Decimal.ONE.add(rules.takerFeeRate)) };
}

/**
 * The fee charged on `notional` at `rate`, exact: a rounded fee would make a fill cost a dust amount
 * more than the funds reserved for it. An exchange that rounds reports its own fee.
 */
export function feeFor(notional: Decimal, rate: Decimal): Decimal {
  return notional.mul(rate);
}
