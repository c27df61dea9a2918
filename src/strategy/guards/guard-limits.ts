import { Decimal } from '../../domain/decimal.js';
import { StrategyOptionsError } from '../strategy-options-error.js';
import type { GuardLimits } from './guard.js';

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
  maxOpenPositions: 3,
  cooldownMs: 15 * 60_000,
  staleAfterMs: 3 * 60_000,
  dailyLossLimit: Decimal.parse('100'),
  maxAtrPercent: 1.0,
};

/** The limits with defaults filled in, or a StrategyOptionsError naming the one that cannot work. */
export function guardLimits(partial: Partial<GuardLimits> = {}): GuardLimits {
  const l = { ...DEFAULT_GUARD_LIMITS, ...partial };
  if (!Number.isInteger(l.maxOpenPositions) || l.maxOpenPositions < 0) {
    throw new StrategyOptionsError('max_open_positions', l.maxOpenPositions, 'a whole number, 0 or more');
  }
  if (!(l.cooldownMs >= 0)) throw new StrategyOptionsError('cooldown_ms', l.cooldownMs, 'a number of milliseconds, 0 or more');
  if (!(l.staleAfterMs > 0)) throw new StrategyOptionsError('stale_after_ms', l.staleAfterMs, 'a positive number of milliseconds');
  if (l.dailyLossLimit.isNegative()) {
    throw new StrategyOptionsError('daily_loss_limit', l.dailyLossLimit.toString(), 'a loss amount, 0 or more (written positive)');
  }
  if (!(l.maxAtrPercent > 0)) throw new StrategyOptionsError('max_atr_percent', l.maxAtrPercent, 'a positive percentage');
  return l;
}
