import { Decimal } from '../domain/decimal.js';
import { isOpenStatus, type OrderStatus } from '../domain/order-state.js';
import type { ExchangeError, ExchangeResult } from '../execution/exchange-error.js';
import type { Exchange, ExchangeOrder } from '../execution/exchange.js';
import type { ReconcileOutcome } from '../recorder/events/state-events.js';
import type { Recorder } from '../recorder/recorder.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import type { OrderRecord } from './records.js';
import type { StateStore } from './state-store.js';
import { isStoreError } from './store-error.js';

/** The part of the exchange port reconciliation needs: look an order up, cancel it. */
export type ReconcileExchange = Pick<Exchange, 'fetchOrderByClientId' | 'cancelOrder'>;

export interface ReconcileOptions {
  readonly store: StateStore;
  readonly exchange: ReconcileExchange;
  readonly recorder: Recorder;
  /** An order the exchange still holds open: keep it (default) or cancel it before trading resumes. */
  readonly stillOpen?: 'keep' | 'cancel';
  /** Lookups per order when the exchange answers with a retryable error (timeout, rate limit). Default 3. */
  readonly maxAttempts?: number;
  readonly retryBackoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The bot's clock (bar time in a replay): the time fills found now are booked at. */
  readonly now?: () => number;
  /** Intents the log shows started but the store never recorded (so never sent): each is closed with a not_found line. */
  readonly unsent?: readonly UnsentIntent[];
}

/** An order intent whose ORDER_CONTEXT was written but whose order the store never recorded (see findUnsentIntents). */
export interface UnsentIntent {
  readonly intentId: string;
  readonly decisionId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly clientOrderIds: readonly string[];
  /** The session that wrote it. */
  readonly sessionId: string;
}

export interface OrderReconciliation {
  readonly clientOrderId: string;
  readonly outcome: ReconcileOutcome;
  readonly previousStatus: string;
  readonly status: string;
  readonly bookedQty: Decimal;
  readonly details: string;
}

export interface ReconcileReport {
  readonly checked: number;
  readonly outcomes: Readonly<Record<ReconcileOutcome, number>>;
  readonly results: readonly OrderReconciliation[];
  /** Client order ids whose state could not be learned: still unsettled, retried at the next start. */
  readonly unresolved: readonly string[];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function lookUp<T>(call: () => Promise<ExchangeResult<T>>, options: ReconcileOptions): Promise<ExchangeResult<T>> {
  const attempts = Math.max(1, options.maxAttempts ?? 3);
  const sleep = options.sleep ?? defaultSleep;
  let result = await call();
  for (let attempt = 2; attempt <= attempts && !result.ok && result.error.retryable; attempt++) {
    const wait = result.error.code === 'rate_limited' && result.error.retryAfterMs !== null ? result.error.retryAfterMs : (options.retryBackoffMs ?? 250) * 2 ** (attempt - 2);
    await sleep(wait);
    result = await call();
  }
  return result;
}

function describeError(error: ExchangeError): string {
  return `${error.code}: ${error.message}`;
}

/** Books what the exchange reports beyond what the store has, and moves the order to the exchange's status. */
function book(store: StateStore, order: OrderRecord, seen: ExchangeOrder, ts: number): { booked: Decimal; status: string } {
  const status: Exclude<OrderStatus, 'new'> = seen.status === 'new' ? 'submitted' : seen.status;
  if (seen.avgPx !== null && seen.filledQty.gt(order.filledQty)) {
    const result = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: seen.filledQty, avgPx: seen.avgPx, fee: seen.fee, feeCurrency: seen.feeCurrency, status, exchangeOrderId: seen.exchangeOrderId, ts });
    return { booked: result.bookedQty, status: result.order.status };
  }
  if (status === 'partially_filled' || status === 'filled') {
    // Nothing new to book, but the store must still follow the exchange: the fill is already booked.
    const result = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: order.filledQty, avgPx: seen.avgPx ?? order.limitPx, fee: order.feeBooked, feeCurrency: order.feeCurrency ?? seen.feeCurrency, status, exchangeOrderId: seen.exchangeOrderId, ts });
    return { booked: Decimal.ZERO, status: result.order.status };
  }
  const updated = order.status === status ? order : store.updateOrder(order.clientOrderId, { status, exchangeOrderId: seen.exchangeOrderId, ts });
  return { booked: Decimal.ZERO, status: updated.status };
}

async function reconcileOne(order: OrderRecord, options: ReconcileOptions): Promise<OrderReconciliation> {
  const { store, exchange, recorder } = options;
  const now = options.now ?? Date.now;
  const base = { clientOrderId: order.clientOrderId, previousStatus: order.status };
  let outcome: ReconcileOutcome;
  let status: string = order.status;
  let booked = Decimal.ZERO;
  let details: string;
  let seen: ExchangeOrder | undefined;
  const found = await lookUp(() => exchange.fetchOrderByClientId(order.symbol, order.clientOrderId), options);
  try {
    if (!found.ok && found.error.code === 'not_found') {
      status = store.updateOrder(order.clientOrderId, { status: 'not_found', ts: now() }).status;
      outcome = 'not_found';
      details = `the exchange has no order ${order.clientOrderId} (${found.error.message}); marked not_found and never sent again`;
    } else if (!found.ok) {
      status = store.updateOrder(order.clientOrderId, { status: 'unknown', ts: now() }).status;
      outcome = 'unknown';
      details = `could not learn the order's state (${describeError(found.error)}); marked unknown, checked again at the next start`;
    } else {
      seen = found.value;
      ({ booked, status } = book(store, order, seen, now()));
      if (isOpenStatus(seen.status) && options.stillOpen === 'cancel') {
        const canceled = await lookUp(() => exchange.cancelOrder(order.symbol, order.clientOrderId), options);
        if (!canceled.ok) {
          outcome = 'still_open';
          details = `open at the exchange (${seen.status}); the cancel failed (${describeError(canceled.error)}), kept open`;
        } else {
          const current = store.order(order.clientOrderId) ?? order;
          seen = canceled.value;
          const after = book(store, current, seen, now());
          booked = booked.add(after.booked);
          status = after.status;
          outcome = seen.status === 'filled' ? 'booked_fill' : 'canceled';
          details = `open at the exchange; canceled on restart (exchange reports ${seen.status}, filled ${seen.filledQty.toString()})`;
        }
      } else if (isOpenStatus(seen.status)) {
        outcome = 'still_open';
        details = `still open at the exchange (${seen.status}, filled ${seen.filledQty.toString()}); kept`;
      } else if (seen.status === 'filled' || booked.isPositive()) {
        outcome = 'booked_fill';
        details = `${seen.status} while the bot was down; booked ${booked.toString()} at ${seen.avgPx?.toString() ?? 'n/a'}`;
      } else {
        outcome = 'canceled';
        details = `${seen.status} at the exchange with nothing filled beyond what was booked`;
      }
    }
  } catch (error) {
    // The store refused what the exchange reports (e.g. a balance it cannot cover): never guess.
    if (!isStoreError(error)) throw error;
    status = store.order(order.clientOrderId)?.status ?? order.status;
    if (status !== 'unknown') status = store.updateOrder(order.clientOrderId, { status: 'unknown', ts: now() }).status;
    outcome = 'unknown';
    details = `the exchange's report could not be booked (${error.code}: ${error.message}); marked unknown`;
  }
  recorder.emit('ORDER_RECONCILED', {
    symbol: order.symbol, side: order.side, client_order_id: order.clientOrderId, outcome, previous_status: order.status, status,
    ...(seen ? { exchange_status: seen.status } : {}), filled_qty: seen?.filledQty ?? order.filledQty, booked_qty: booked, details,
  }, outcome === 'unknown' || outcome === 'not_found' ? { level: 'warn' } : undefined);
  return { ...base, outcome, status, bookedQty: booked, details };
}

/** Closes an intent that never reached the store, so never the exchange: nothing to look up, nothing to book. */
function closeUnsent(intent: UnsentIntent, recorder: Recorder): OrderReconciliation {
  const clientOrderId = intent.clientOrderIds.at(-1) ?? `${intent.intentId}-1`;
  const details = `${intent.sessionId} wrote ORDER_CONTEXT for ${clientOrderId} but ended before recording the order, which it does before sending: never sent, nothing to book`;
  recorder.emit('ORDER_RECONCILED', {
    symbol: intent.symbol, side: intent.side, client_order_id: clientOrderId, outcome: 'not_found', previous_status: 'not_recorded', status: 'not_sent',
    filled_qty: Decimal.ZERO, booked_qty: Decimal.ZERO, details,
  }, { level: 'warn' });
  return { clientOrderId, outcome: 'not_found', previousStatus: 'not_recorded', status: 'not_sent', bookedQty: Decimal.ZERO, details };
}

/**
 * Settles every order the store still holds open, by client order id, before the bot trades:
 * fills that happened while it was down are booked with the order's decision_id, orders the
 * exchange never got are marked not_found, and none is ever sent again. Each order's lines carry
 * its decision_id and intent_id.
 */
export async function reconcileOpenOrders(options: ReconcileOptions): Promise<ReconcileReport> {
  const started = performance.now();
  const results: OrderReconciliation[] = [];
  const outcomes: Record<ReconcileOutcome, number> = { booked_fill: 0, still_open: 0, canceled: 0, unknown: 0, not_found: 0 };
  for (const order of options.store.openOrders()) {
    const result = await withDecision(order.decisionId, () => withIntent(order.intentId, () => reconcileOne(order, options)));
    outcomes[result.outcome]++;
    results.push(result);
  }
  for (const intent of options.unsent ?? []) {
    const result = withDecision(intent.decisionId, () => withIntent(intent.intentId, () => closeUnsent(intent, options.recorder)));
    outcomes[result.outcome]++;
    results.push(result);
  }
  const unresolved = results.filter((r) => r.outcome === 'unknown').map((r) => r.clientOrderId);
  options.recorder.emit('RECONCILE_COMPLETE', { checked: results.length, outcomes, unresolved, duration_ms: Math.round(performance.now() - started) }, unresolved.length > 0 ? { level: 'warn' } : undefined);
  return { checked: results.length, outcomes, results, unresolved };
}
