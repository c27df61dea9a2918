import { Decimal } from '../../domain/decimal.js';
import type { Candle } from '../../domain/candle.js';
import type { MarketRules } from '../../domain/market-rules.js';
import type { OrderSide } from '../../domain/order-types.js';

/**
 * How the paper exchange turns candles into fills. A candle only says where the price went and how
 * much traded, so the model stays conservative:
 * - a taker (an order that crosses now) fills at the candle's close moved against it by
 *   `slippageBps`, never better than its limit and never outside the candle's [low, high];
 * - a resting limit fills at its limit price, and only on a later candle whose range goes strictly
 *   through it (touching the limit is not proof that anyone traded with us);
 * - one order takes at most `volumeParticipation` of a candle's volume (shared by all orders on
 *   that candle), which is what makes IOC orders partly fill in thin minutes.
 */
export interface FillModelOptions {
  readonly slippageBps: Decimal;
  readonly volumeParticipation: Decimal;
}

export const DEFAULT_FILL_MODEL: FillModelOptions = {
  slippageBps: Decimal.parse('5'),
  volumeParticipation: Decimal.parse('0.1'),
};

const BPS = Decimal.parse('10000');

/** The price a taker gets on this candle: close plus slippage against the side, on the tick, in range. */
export function takerPrice(rules: MarketRules, side: OrderSide, candle: Candle, slippageBps: Decimal): Decimal {
  if (side === 'buy') {
    const raw = candle.close.mul(BPS.add(slippageBps)).div(BPS, 18, 'up').quantize(rules.tickSize, 'up');
    return Decimal.min(Decimal.max(raw, candle.low), candle.high);
  }
  const raw = candle.close.mul(BPS.sub(slippageBps)).div(BPS, 18, 'down').quantize(rules.tickSize, 'down');
  return Decimal.max(Decimal.min(raw, candle.high), candle.low);
}

/** The fill price of an order that would take liquidity now, or null when its limit is not marketable. */
export function immediateFillPrice(
  rules: MarketRules,
  side: OrderSide,
  limitPx: Decimal | null,
  candle: Candle,
  slippageBps: Decimal,
): Decimal | null {
  const taker = takerPrice(rules, side, candle, slippageBps);
  if (limitPx === null) return taker;
  if (side === 'buy') return limitPx.lt(candle.close) ? null : Decimal.min(limitPx, taker);
  return limitPx.gt(candle.close) ? null : Decimal.max(limitPx, taker);
}

/** Whether a resting limit order is crossed by this candle's range. */
export function restingCrossed(side: OrderSide, limitPx: Decimal, candle: Candle): boolean {
  return side === 'buy' ? candle.low.lt(limitPx) : candle.high.gt(limitPx);
}

/** The candle's volume in base units (a quote-volume feed is converted at the close). */
export function baseVolume(candle: Candle, volumeIn: 'base' | 'quote'): Decimal {
  if (volumeIn === 'base') return candle.volume;
  return candle.close.isPositive() ? candle.volume.div(candle.close, 18, 'down') : Decimal.ZERO;
}

/** The base quantity one candle can fill in total for the paper account, on the lot. */
export function candleLiquidity(
  rules: MarketRules,
  candle: Candle,
  volumeIn: 'base' | 'quote',
  participation: Decimal,
): Decimal {
  return baseVolume(candle, volumeIn).mul(participation).quantize(rules.lotSize, 'down');
}
