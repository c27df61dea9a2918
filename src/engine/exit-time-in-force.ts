import type { TimeInForce } from '../domain/order-types.js';
import type { ExitRule } from '../recorder/events/order-events.js';

/**
 * Whether an exit rule's sell must sell now: every rule but take profit. A stop (or a position held
 * too long) that rests as a GTC limit does not stop anything: on the real UNITTEST/BTC candles a
 * stop-loss sell rested at its first limit, 294 of 1347 sold, while the price fell 38% below it for
 * the 3,860 bars left, and the position ended 25% down against a 1% stop.
 */
export function sellsNow(rule: ExitRule): boolean {
  return rule !== 'take_profit';
}

/**
 * The time in force of an exit's sell. A protective rule's sell is IOC whatever execution.tif: what
 * it cannot fill on this bar expires, and the rule, still firing, sells the rest on the next bar at
 * that bar's price. A take profit keeps execution.tif: a GTC take-profit sell resting at its limit
 * is a take-profit order, which the exit cancels when a protective rule fires (ExitHandler).
 */
export function exitTimeInForce(rule: ExitRule, configured: TimeInForce): TimeInForce {
  return sellsNow(rule) ? 'IOC' : configured;
}
