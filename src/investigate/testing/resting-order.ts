import { Decimal } from '../../domain/decimal.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';
import type { SessionWriter } from './session-writer.js';

/**
 * A GTC buy that rests on the exchange and fills over several look-ups, written as the bot writes it
 * (src/execution/order-router.ts places it, src/engine/order-watcher.ts finds its fills): the
 * decision ends `failed` (resting) with nothing filled yet; each later look-up that finds more filled
 * writes ORDER_FILLED with the order's totals so far (partial while less than the order's quantity)
 * and BUY_FILLED with what it found new. SessionWriter's `buy` writes IOC orders only; this adds the
 * resting kind beside it, through the writer's public emit and clock.
 */
export interface RestingOrder {
  readonly decisionId: string;
  readonly intentId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly qty: Decimal;
  readonly price: Decimal;
  /** Quantity filled so far (cumulative), as the last ORDER_FILLED wrote it. */
  filled: Decimal;
}

export interface RestingPlan {
  readonly decisionId: string;
  readonly intentId: string;
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
}

function inOrder(o: Pick<RestingOrder, 'decisionId' | 'intentId'>, write: () => void): void {
  withDecision(o.decisionId, () => withIntent(o.intentId, write));
}

const feeCurrency = (symbol: string): string => symbol.split('/')[0] ?? 'BTC';

/** The decision and its GTC order, accepted and resting with nothing filled: DECISION_END failed (resting). */
export function restingBuy(s: SessionWriter, plan: RestingPlan): RestingOrder {
  const qty = Decimal.parse(plan.qty);
  const price = Decimal.parse(plan.price);
  const clientOrderId = `${plan.intentId}-1`;
  const o: RestingOrder = { decisionId: plan.decisionId, intentId: plan.intentId, clientOrderId, symbol: plan.symbol, qty, price, filled: Decimal.ZERO };
  const begin = s.now.getTime();
  const budget = qty.mul(price);
  s.emit('DECISION_START', { decision_id: plan.decisionId, symbol: plan.symbol, bar_ts: new Date(begin - (begin % 60_000)).toISOString(), price, strategy: 'ema_cross' });
  withDecision(plan.decisionId, () => {
    s.tick(2).emit('BUY_TRIGGERED', { symbol: plan.symbol, signal: 'ema_cross_up', price, indicators: { ema_fast: 1.5, ema_slow: 1.4 } });
    s.tick(1).emit('BUY_CANDIDATE', { symbol: plan.symbol, quote_budget: budget, qty, limit_px: price, ref_px: price, notional: budget });
    withIntent(plan.intentId, () => {
      s.tick(1).emit('BUY_ORDER', { symbol: plan.symbol, side: 'buy', qty, limit_px: price, quote_budget: budget, tif: 'GTC' });
      s.tick(1).emit('ORDER_CONTEXT', {
        symbol: plan.symbol, side: 'buy', qty, limit_px: price, quote_budget: budget, notional: budget,
        tif: 'GTC', slippage_bps: 20, min_notional: Decimal.parse('0.001'), max_retries: 3, retry_backoff_ms: 400,
        attempt: 1, attempt_start_ts: s.now.getTime() / 1000, client_order_id: clientOrderId,
      });
      s.tick(5).emit('ORDER_SUBMITTED', { symbol: plan.symbol, side: 'buy', attempt: 1, client_order_id: clientOrderId, exchange_order_id: `ex-${plan.intentId}`, status: 'submitted' });
    });
    s.tick(1).emit('DECISION_END', { symbol: plan.symbol, outcome: 'failed', duration_ms: s.now.getTime() - begin, reason: 'resting' });
  });
  return o;
}

/**
 * One look-up of the order watcher that found the order filled up to `cumulative` (more than
 * before): ORDER_FILLED with the totals (avg_px the order's price, fee 0.1% of the quantity), partial
 * while below the order's quantity, and BUY_FILLED with the increment.
 */
export function restingFill(s: SessionWriter, o: RestingOrder, cumulative: string): void {
  const total = Decimal.parse(cumulative);
  const increment = total.sub(o.filled);
  const partial = total.lt(o.qty);
  const currency = feeCurrency(o.symbol);
  inOrder(o, () => {
    s.emit('ORDER_FILLED', {
      symbol: o.symbol, side: 'buy', attempt: 1, client_order_id: o.clientOrderId, exchange_order_id: `ex-${o.intentId}`,
      filled_qty: total, avg_px: o.price, fee: total.mul(Decimal.parse('0.001')), fee_currency: currency, partial,
    });
    s.emit('BUY_FILLED', { symbol: o.symbol, qty: increment, avg_px: o.price, fee: increment.mul(Decimal.parse('0.001')), fee_currency: currency, notional: increment.mul(o.price), partial });
  });
  o.filled = total;
}

/** The resting order's remainder canceled (time in force, the exchange), with what filled before. */
export function restingCanceled(s: SessionWriter, o: RestingOrder, reason: string): void {
  inOrder(o, () => {
    s.emit('ORDER_CANCELED', { symbol: o.symbol, side: 'buy', attempt: 1, client_order_id: o.clientOrderId, reason, filled_qty: o.filled });
  });
}

/**
 * What a later session's restart reconciliation (src/store/reconcile.ts) writes for the order, in
 * `restart`'s session: still open (kept), or canceled at the exchange with what filled before.
 */
export function restingReconciled(restart: SessionWriter, o: RestingOrder, outcome: 'still_open' | 'canceled'): void {
  const open = outcome === 'still_open';
  const status = open ? 'partially_filled' : 'canceled';
  const currency = feeCurrency(o.symbol);
  inOrder(o, () => {
    restart.emit('ORDER_RECONCILED', {
      symbol: o.symbol, side: 'buy', client_order_id: o.clientOrderId, outcome, previous_status: 'partially_filled', status, exchange_status: status,
      filled_qty: o.filled, avg_px: o.price, fee: o.filled.mul(Decimal.parse('0.001')), fee_currency: currency, booked_qty: Decimal.ZERO,
      details: open ? `still open at the exchange (partially_filled, filled ${o.filled.toString()}); kept` : `canceled at the exchange with nothing filled beyond what was booked`,
    });
  });
}
