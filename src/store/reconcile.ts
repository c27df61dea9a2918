import { Decimal } from '../domain/decimal.js';
import { isOpenStatus, type OrderStatus } from '../domain/order-state.js';
import type { ExchangeError, ExchangeResult } from '../execution/exchange-error.js';
import type { Exchange, ExchangeOrder } from '../execution/exchange.js';
import { clientOrderIdFor } from '../execution/client-order-id.js';
import type { ReconcileOutcome } from '../recorder/events/state-events.js';
import type { Recorder } from '../recorder/recorder.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import type { FillResult } from './book-fill.js';
import { marketAssets } from './fill-accounting.js';
import type { OrderRecord } from './records.js';
import type { StateStore } from './state-store.js';
import { isStoreError } from './store-error.js';
import { holdingSeconds } from './holding-time.js';

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
  /**
   * The bot's clock (bar time in a replay): when orders found lost or unreachable are marked. A fill
   * is booked at the exchange's time of it (ExchangeOrder.updatedAt), never later than this.
   */
  readonly now?: () => number;
  /** Intents the log shows started but the store never recorded (so never sent): each is closed with a not_found line. */
  readonly unsent?: readonly UnsentIntent[];
  /** Exits the log shows triggered but whose sell was never begun: each is said in a LOG warn under its decision. */
  readonly cutExits?: readonly CutExit[];
  /** The starting session's quote currency (trading.quote_currency): STATE_RECOVERED's realized_pnl is its, when the file holds no other's. */
  readonly quoteCurrency?: string;
}

/** An order intent whose ORDER_CONTEXT was written but whose order the store never recorded (see findCutOrders). */
export interface UnsentIntent {
  readonly intentId: string;
  readonly decisionId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** Those its ORDER_CONTEXT lines name, the last attempt's last; none when it has none. */
  readonly clientOrderIds: readonly string[];
  /** The session that wrote it. */
  readonly sessionId: string;
  /** 'ORDER_CONTEXT': the session ended after the line announcing the intent (a buy's BUY_ORDER, a sell's EXIT_TRIGGERED), before its first ORDER_CONTEXT. */
  readonly cutBefore?: 'ORDER_CONTEXT';
}

/** An exit whose EXIT_TRIGGERED was the previous session's last line, its sell never begun (see findCutOrders). */
export interface CutExit {
  /** The decision that opened the position. */
  readonly decisionId: string;
  readonly symbol: string;
  readonly rule: string;
  /** The EXIT_TRIGGERED line's ts. */
  readonly triggeredAt: string;
  readonly sessionId: string;
}

export interface OrderReconciliation {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly outcome: ReconcileOutcome;
  readonly previousStatus: string;
  readonly status: string;
  readonly bookedQty: Decimal;
  /** PnL the booked fill realized (a sell out of a position); zero when nothing was booked. */
  readonly realizedPnl: Decimal;
  /** A SELL_FILLED was written for it: an exit sell (its rule known) that sold something here. */
  readonly exitFilled: boolean;
  readonly details: string;
}

export interface ReconcileReport {
  readonly checked: number;
  readonly outcomes: Readonly<Record<ReconcileOutcome, number>>;
  readonly results: readonly OrderReconciliation[];
  /** Client order ids whose state could not be learned: still unsettled, retried at the next start. */
  readonly unresolved: readonly string[];
  /**
   * PnL realized by the fills booked here, per quote currency of their markets (an order left by a
   * session that traded another market may be among them): realized when the session starting now learned of it.
   */
  readonly realizedPnl: ReadonlyMap<string, Decimal>;
  /** SELL_FILLED lines written (exit sells found filled). */
  readonly exitsFilled: number;
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

/**
 * When the exchange says the order last changed (its latest fill), not when the bot found out: the
 * day of the realized PnL, the position's opening (its max-holding clock) and the holding time all
 * follow it. Never later than the bot's clock: a fill cannot be booked before it happened, and an
 * exchange clock a little ahead would open a position in the future.
 */
function exchangeTime(seen: ExchangeOrder, now: () => number): number {
  return Math.min(seen.updatedAt, now());
}

/** Books what the exchange reports beyond what the store has, and moves the order to the exchange's status. */
function book(store: StateStore, order: OrderRecord, seen: ExchangeOrder, ts: number): { booked: Decimal; status: string; fill?: FillResult } {
  const status: Exclude<OrderStatus, 'new'> = seen.status === 'new' ? 'submitted' : seen.status;
  if (seen.avgPx !== null && seen.filledQty.gt(order.filledQty)) {
    // The exchange's exact notional: filledQty x the rounded avgPx drifts from what it moved.
    const result = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: seen.filledQty, avgPx: seen.avgPx, filledNotional: seen.filledNotional, fee: seen.fee, feeCurrency: seen.feeCurrency, status, exchangeOrderId: seen.exchangeOrderId, ts });
    return { booked: result.bookedQty, status: result.order.status, ...(result.bookedQty.isPositive() ? { fill: result } : {}) };
  }
  if (status === 'partially_filled' || status === 'filled') {
    // Nothing new to book, but the store must still follow the exchange: the fill is already booked
    // (its own notional, so a rounded avgPx books no sliver of money with no quantity).
    const result = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: order.filledQty, avgPx: seen.avgPx ?? order.limitPx, filledNotional: order.filledNotional, fee: order.feeBooked, feeCurrency: order.feeCurrency ?? seen.feeCurrency, status, exchangeOrderId: seen.exchangeOrderId, ts });
    return { booked: Decimal.ZERO, status: result.order.status };
  }
  const updated = order.status === status ? order : store.updateOrder(order.clientOrderId, { status, exchangeOrderId: seen.exchangeOrderId, ts });
  return { booked: Decimal.ZERO, status: updated.status };
}

/** What this reconciliation booked for one order, summed over its bookings (a lookup, and a cancel's answer). */
interface Booked {
  readonly qty: Decimal;
  readonly notional: Decimal;
  readonly fee: Decimal;
  readonly realizedPnl: Decimal;
  /** The exchange's time of the latest booking. */
  readonly at: number;
  /** The position after the latest booking (qty 0 when it closed it). */
  readonly position: FillResult['position'];
}

function bookedOf(before: OrderRecord, after: OrderRecord, fills: readonly { at: number; fill: FillResult }[]): Booked | undefined {
  const last = fills.at(-1);
  if (!last) return undefined;
  return {
    qty: after.filledQty.sub(before.filledQty), notional: after.filledNotional.sub(before.filledNotional), fee: after.feeBooked.sub(before.feeBooked),
    realizedPnl: fills.reduce((sum, f) => sum.add(f.fill.realizedPnl), Decimal.ZERO), at: last.at, position: last.fill.position,
  };
}

async function reconcileOne(order: OrderRecord, options: ReconcileOptions): Promise<OrderReconciliation> {
  const { store, exchange, recorder } = options;
  const now = options.now ?? Date.now;
  const base = { clientOrderId: order.clientOrderId, symbol: order.symbol, previousStatus: order.status };
  let outcome: ReconcileOutcome;
  let status: string = order.status;
  let booked = Decimal.ZERO;
  let details: string;
  let seen: ExchangeOrder | undefined;
  const fills: { at: number; fill: FillResult }[] = [];
  const bookSeen = (current: OrderRecord, report: ExchangeOrder): { booked: Decimal; status: string } => {
    const at = exchangeTime(report, now);
    const result = book(store, current, report, at);
    if (result.fill) fills.push({ at, fill: result.fill });
    return result;
  };
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
      ({ booked, status } = bookSeen(order, seen));
      if (isOpenStatus(seen.status) && options.stillOpen === 'cancel') {
        const canceled = await lookUp(() => exchange.cancelOrder(order.symbol, order.clientOrderId), options);
        if (!canceled.ok) {
          outcome = 'still_open';
          details = `open at the exchange (${seen.status}); the cancel failed (${describeError(canceled.error)}), kept open`;
        } else {
          const current = store.order(order.clientOrderId) ?? order;
          seen = canceled.value;
          const after = bookSeen(current, seen);
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
  const money = bookedOf(order, store.order(order.clientOrderId) ?? order, fills);
  // The money of a fill found here is on this line, and nowhere else for a buy (see logBookedFill):
  // the books' balances, positions and PnL replay from the logs with it.
  recorder.emit('ORDER_RECONCILED', {
    symbol: order.symbol, side: order.side, client_order_id: order.clientOrderId, outcome, previous_status: order.status, status,
    ...(seen ? { exchange_status: seen.status } : {}), filled_qty: seen?.filledQty ?? order.filledQty,
    ...(seen && seen.avgPx !== null ? { avg_px: seen.avgPx, fee: seen.fee, fee_currency: seen.feeCurrency } : {}),
    booked_qty: booked,
    ...(money ? { booked_notional: money.notional, booked_fee: money.fee, realized_pnl: money.realizedPnl, filled_at: new Date(money.at).toISOString() } : {}),
    details,
  }, outcome === 'unknown' || outcome === 'not_found' ? { level: 'warn' } : undefined);
  const exitFilled = money !== undefined && logBookedFill(order, money, recorder);
  return { ...base, outcome, status, bookedQty: booked, realizedPnl: money?.realizedPnl ?? Decimal.ZERO, exitFilled, details };
}

/**
 * An exit sell found filled is written as the router writes one: SELL_FILLED, with its rule, the
 * realized PnL and the holding time up to the exchange's fill, under the decision that opened the
 * position. That is what sessions' PnL, the metrics and trace's "position closed" read. ORDER_FILLED
 * and BUY_FILLED are not written: ORDER_FILLED would become the intent's verdict line in `orders`
 * (no longer "settled by restart reconciliation"), and a BUY_FILLED after a router's timeout_exhausted
 * reads in trace as a fill the session's order watcher found; ORDER_RECONCILED carries their money
 * instead, and `why` counts a reconciled buy from it. Returns whether a SELL_FILLED was written.
 */
function logBookedFill(order: OrderRecord, money: Booked, recorder: Recorder): boolean {
  if (order.side !== 'sell' || order.exitRule === undefined || !money.qty.isPositive()) return false;
  const avgPx = money.notional.div(money.qty);
  const position = money.position;
  recorder.emit('SELL_FILLED', {
    symbol: order.symbol, rule: order.exitRule, qty: money.qty, avg_px: avgPx, entry_px: position?.entryPx ?? avgPx, fee: money.fee,
    realized_pnl: money.realizedPnl, holding_s: position ? holdingSeconds(position, money.at) : 0,
  });
  return true;
}

/** Closes an intent that never reached the store, so never the exchange: nothing to look up, nothing to book. */
function closeUnsent(intent: UnsentIntent, recorder: Recorder): OrderReconciliation {
  const clientOrderId = intent.clientOrderIds.at(-1) ?? clientOrderIdFor(intent.intentId, 1);
  const details = intent.cutBefore === 'ORDER_CONTEXT'
    ? `${intent.sessionId} wrote ${intent.side === 'sell' ? 'EXIT_TRIGGERED' : 'BUY_ORDER'} for this intent but ended before its first ORDER_CONTEXT, which is written before the order (${clientOrderId}) is recorded and sent: never sent, nothing to book`
    : `${intent.sessionId} wrote ORDER_CONTEXT for ${clientOrderId} but ended before recording the order, which it does before sending: never sent, nothing to book`;
  recorder.emit('ORDER_RECONCILED', {
    symbol: intent.symbol, side: intent.side, client_order_id: clientOrderId, outcome: 'not_found', previous_status: 'not_recorded', status: 'not_sent',
    filled_qty: Decimal.ZERO, booked_qty: Decimal.ZERO, details,
  }, { level: 'warn' });
  return { clientOrderId, symbol: intent.symbol, outcome: 'not_found', previousStatus: 'not_recorded', status: 'not_sent', bookedQty: Decimal.ZERO, realizedPnl: Decimal.ZERO, exitFilled: false, details };
}

/**
 * Says, under the position's decision, that an exit the previous session triggered sent nothing:
 * without it its EXIT_TRIGGERED reads as a sell in flight forever. There is no order to close: the
 * sell's intent id was not written yet.
 */
function sayCutExit(exit: CutExit, store: StateStore, recorder: Recorder): void {
  const held = store.positions().find((p) => p.symbol === exit.symbol && p.decisionId === exit.decisionId);
  const now = held === undefined
    ? `the store holds no position of this decision on ${exit.symbol} now`
    : `the position (${held.qty.toString()} ${exit.symbol}) is still held, and its exit rules are checked again from the first bar this session decides`;
  recorder.emit('LOG', {
    component: 'recovery',
    message: `${exit.sessionId} wrote EXIT_TRIGGERED (${exit.rule}) for ${exit.symbol} at ${exit.triggeredAt} but ended before its sell's first ORDER_CONTEXT: no sell was sent, nothing to book; ${now}`,
    data: { symbol: exit.symbol, rule: exit.rule, exit_triggered_at: exit.triggeredAt, session_id_cut: exit.sessionId, sell_sent: false, still_held: held !== undefined },
  }, { level: 'warn' });
}

/**
 * Settles every order the store still holds open, by client order id, before the bot trades:
 * fills that happened while it was down are booked at the exchange's time of them with the order's
 * decision_id, their money on ORDER_RECONCILED (and an exit's on SELL_FILLED), orders the
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
  for (const exit of options.cutExits ?? []) withDecision(exit.decisionId, () => sayCutExit(exit, options.store, options.recorder));
  const unresolved = results.filter((r) => r.outcome === 'unknown').map((r) => r.clientOrderId);
  options.recorder.emit('RECONCILE_COMPLETE', { checked: results.length, outcomes, unresolved, duration_ms: Math.round(performance.now() - started) }, unresolved.length > 0 ? { level: 'warn' } : undefined);
  const realizedPnl = new Map<string, Decimal>();
  for (const r of results) {
    if (r.realizedPnl.isZero()) continue;
    const { quote } = marketAssets(r.symbol);
    realizedPnl.set(quote, (realizedPnl.get(quote) ?? Decimal.ZERO).add(r.realizedPnl));
  }
  return { checked: results.length, outcomes, results, unresolved, realizedPnl, exitsFilled: results.filter((r) => r.exitFilled).length };
}
