import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  OrderStateError,
  canTransition,
  isTerminalStatus,
  transition,
  transitionOrThrow,
  type OrderStatus,
} from './order-state.js';

/** The table written out by hand, row by row, so a change to the code's table must be deliberate. */
const EXPECTED: Record<OrderStatus, OrderStatus[]> = {
  new: ['submitted', 'rejected', 'failed'],
  submitted: ['partially_filled', 'filled', 'pending_cancel', 'canceled', 'rejected', 'expired', 'failed'],
  partially_filled: ['partially_filled', 'filled', 'pending_cancel', 'canceled', 'expired'],
  pending_cancel: ['partially_filled', 'filled', 'canceled', 'expired'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
  failed: [],
};

describe('order state machine', () => {
  it('allows exactly the transitions of the table, for every pair of statuses', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const legal = EXPECTED[from].includes(to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(legal);
        const result = transition(from, to);
        expect(result.ok, `${from} -> ${to}`).toBe(legal);
      }
    }
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('walks the happy paths of the issue', () => {
    let status: OrderStatus = 'new';
    for (const next of ['submitted', 'partially_filled', 'partially_filled', 'filled'] as const) {
      status = transitionOrThrow(status, next);
    }
    expect(status).toBe('filled');
    expect(transitionOrThrow(transitionOrThrow('new', 'submitted'), 'expired')).toBe('expired');
  });

  it('makes terminal statuses final and says so in a typed error', () => {
    const terminal = ORDER_STATUSES.filter(isTerminalStatus);
    expect(terminal.sort()).toEqual(['canceled', 'expired', 'failed', 'filled', 'rejected']);
    const result = transition('filled', 'canceled');
    expect(result).toEqual({
      ok: false,
      error: { code: 'illegal_transition', from: 'filled', to: 'canceled', message: 'illegal order transition filled -> canceled: filled is final' },
    });
  });

  it('throws an OrderStateError where a caller asks it to', () => {
    expect(() => transitionOrThrow('new', 'filled')).toThrow(OrderStateError);
    try {
      transitionOrThrow('new', 'filled');
    } catch (error) {
      expect(error).toBeInstanceOf(OrderStateError);
      expect((error as OrderStateError).code).toBe('illegal_transition');
      expect((error as OrderStateError).message).toMatch(/expected one of submitted, rejected, failed/);
    }
  });
});
