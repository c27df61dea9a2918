import { StrategyOptionsError } from '../strategy-options-error.js';

/** An indicator period is a whole number of bars, at least 1 (and a sane upper bound). */
export function checkPeriod(name: string, period: number): void {
  if (!Number.isInteger(period) || period < 1 || period > 10_000) {
    throw new StrategyOptionsError(`${name}_period`, period, 'a whole number of bars from 1 to 10000');
  }
}
