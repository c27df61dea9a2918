import { err, ok, type Result } from './result.js';

/**
 * An order's life. `new`: built and checked, not yet sent. `submitted`: sent; the exchange holds it
 * (or, after a timeout, may hold it: the router fetches it to find out). `partially_filled`: open
 * with some quantity filled. `pending_cancel`: a cancel was sent and not yet confirmed, so a fill
 * can still race it. Terminal: `filled`, `canceled`, `rejected` (the exchange refused it),
 * `expired` (IOC/FOK remainder dropped by time in force), `failed` (it never reached the exchange,
 * or was given up before sending).
 */
export const ORDER_STATUSES = [
  'new',
  'submitted',
  'partially_filled',
  'pending_cancel',
  'filled',
  'canceled',
  'rejected',
  'expired',
  'failed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Every legal move; anything not listed is an illegal transition. */
export const ORDER_TRANSITIONS: { readonly [S in OrderStatus]: readonly OrderStatus[] } = {
  new: ['submitted', 'rejected', 'failed'],
  submitted: ['partially_filled', 'filled', 'pending_cancel', 'canceled', 'rejected', 'expired', 'failed'],
  // Several fills arrive one by one, hence partially_filled -> partially_filled.
  partially_filled: ['partially_filled', 'filled', 'pending_cancel', 'canceled', 'expired'],
  // A fill can land while the cancel travels.
  pending_cancel: ['partially_filled', 'filled', 'canceled', 'expired'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
  failed: [],
};

export function isTerminalStatus(status: OrderStatus): boolean {
  return ORDER_TRANSITIONS[status].length === 0;
}

/** An order that still lives on the exchange's book. */
export function isOpenStatus(status: OrderStatus): boolean {
  return status === 'submitted' || status === 'partially_filled' || status === 'pending_cancel';
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export interface IllegalTransition {
  readonly code: 'illegal_transition';
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly message: string;
}

/** The next status, or a typed error: a status is never silently overwritten. */
export function transition(from: OrderStatus, to: OrderStatus): Result<OrderStatus, IllegalTransition> {
  if (canTransition(from, to)) return ok(to);
  const allowed = ORDER_TRANSITIONS[from];
  return err({
    code: 'illegal_transition',
    from,
    to,
    message: `illegal order transition ${from} -> ${to}: ${allowed.length === 0 ? `${from} is final` : `expected one of ${allowed.join(', ')}`}`,
  });
}

/** Thrown where an illegal transition can only be a bug (e.g. inside an exchange simulator). */
export class OrderStateError extends Error {
  readonly code = 'illegal_transition' as const;
  readonly retryable = false;
  constructor(readonly detail: IllegalTransition) {
    super(detail.message);
    this.name = 'OrderStateError';
  }
}

export function transitionOrThrow(from: OrderStatus, to: OrderStatus): OrderStatus {
  const result = transition(from, to);
  if (!result.ok) throw new OrderStateError(result.error);
  return result.value;
}
