import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The decision and intent a piece of work belongs to. AsyncLocalStorage carries it across awaits,
 * timers and event emitters, so no call site threads ids by hand.
 */
export interface TraceContext {
  readonly decisionId?: string;
  readonly intentId?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `decisionId` on every line it logs. A decision inside a decision replaces it. */
export function withDecision<R>(decisionId: string, fn: () => R): R {
  return storage.run({ decisionId }, fn);
}

/** Runs `fn` with `intentId` (keeping the enclosing decision) on every line it logs. */
export function withIntent<R>(intentId: string, fn: () => R): R {
  const outer = storage.getStore();
  const context: TraceContext = outer?.decisionId ? { decisionId: outer.decisionId, intentId } : { intentId };
  return storage.run(context, fn);
}

/**
 * Runs `fn` with no decision or intent: for work that merely happens while a decision runs (an
 * alert one of its lines tripped, a timer armed there) and must not be filed under it.
 */
export function outsideTrace<R>(fn: () => R): R {
  return storage.exit(fn);
}
