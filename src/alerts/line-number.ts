import { Decimal } from '../domain/decimal.js';

/**
 * A numeric field of an observed line as a number: parsed back from a file it is a number, seen
 * through the recorder's onLine it is still what was emitted (a Decimal for money and quantities).
 * Anything else reads as 0.
 */
export function lineNumber(value: unknown): number {
  return typeof value === 'number' ? value : value instanceof Decimal ? value.toNumber() : 0;
}
