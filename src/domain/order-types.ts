/** The vocabulary every order layer shares; one list each, so a typo is a compile error. */
export const ORDER_SIDES = ['buy', 'sell'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

export const ORDER_KINDS = ['limit', 'market'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

/**
 * IOC: fill what can be filled now, cancel the rest. FOK: fill all now or nothing.
 * GTC: rest on the book until filled or canceled.
 */
export const TIMES_IN_FORCE = ['IOC', 'FOK', 'GTC'] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];
