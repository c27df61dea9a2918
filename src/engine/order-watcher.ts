import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import { isTerminalStatus } from '../domain/order-state.js';
import type { ExchangeOrder } from '../execution/exchange.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import type { OrderRecord } from '../store/records.js';
import type { FillResult } from '../store/state-store.js';
import { priceLabel, type EngineContext } from './engine-context.js';
import { holdingSeconds } from '../store/holding-time.js';

/**
 * Follows orders the store still holds unsettled during the session: a GTC order resting on the
 * book, or one whose attempt timed out and could not be looked up (`unknown`). Each bar, before
 * any decision, it asks the exchange about each by client order id (never resending) inside the
 * order's own decision and intent, so fills found late carry the ids of the decision that placed
 * them. Fills are booked by the StoreSyncedExchange as the answer arrives.
 */
export class OrderWatcher {
  /**
   * Orders open at the first poll, which comes before the session's first decision: a previous
   * session's, that the restart's reconciliation left unsettled (unknown, still open). Undefined
   * until then.
   */
  private inherited: ReadonlySet<string> | undefined;

  constructor(private readonly ctx: EngineContext) {}

  async poll(): Promise<void> {
    const { portfolio } = this.ctx;
    this.inherited ??= new Set(portfolio.store.openOrders().map((o) => o.clientOrderId));
    for (const order of portfolio.store.openOrders()) {
      await withDecision(order.decisionId, () => withIntent(order.intentId, () => this.check(order)));
    }
    portfolio.refresh();
    this.ctx.observer.onPortfolioChanged?.();
  }

  /**
   * ORDER_FILLED reports the order as the exchange does, cumulative; BUY_FILLED and SELL_FILLED
   * report what this look-up found new (qty, price, fee and PnL of the increment), so their lines
   * add up to the order and agree with the lines written when a fill is found at once. A decision's
   * purchase and an exit's sale count once, on their order's first fill. A buy's dashboard notice is
   * written once, when the answer settles the order (noteBuySettled).
   */
  private async check(order: OrderRecord): Promise<void> {
    const { exchange } = this.ctx;
    const seen = await exchange.fetchOrderByClientId(order.symbol, order.clientOrderId);
    const booked = exchange.takeFill(order.clientOrderId);
    if (!seen.ok) {
      if (seen.error.code === 'not_found') this.logNeverPlaced(order, seen.error.message);
      return;
    }
    if (booked?.bookedQty.isPositive()) logFoundFill(this.ctx, order, seen.value, booked);
    noteBuySettled(this.ctx, order, seen.value);
  }

  /**
   * The exchange has no order of this client order id: the attempt whose answer never came (a
   * timeout) never reached it. The store has marked it not_found (StoreSyncedExchange), so it is
   * settled: no longer asked about, never sent again, and it no longer holds back its symbol's
   * exit. Said in the order's decision and intent, or nothing would tell that apart from an order
   * still unknown.
   */
  private logNeverPlaced(order: OrderRecord, answer: string): void {
    const now = this.ctx.portfolio.store.order(order.clientOrderId);
    if (now?.status !== 'not_found' || order.status === 'not_found') return;
    // An order a previous session left (killed mid-order: its router wrote no verdict) gets the
    // verdict as a typed order line, as the restart's reconciliation writes it for an order the
    // exchange never had, so readers of the orders log (orders, trace, the failure-rate alert) settle
    // the intent by it: the LOG line alone, in the system log, left the intent OPEN for good. This
    // session's own orders have their router's ORDER_FAILED (timeout_exhausted), which stands.
    if (this.inherited?.has(order.clientOrderId) === true) this.ctx.recorder.emit('ORDER_RECONCILED', {
      symbol: order.symbol, side: order.side, client_order_id: order.clientOrderId, outcome: 'not_found',
      previous_status: order.status, status: 'not_found', filled_qty: Decimal.ZERO, booked_qty: Decimal.ZERO,
      details: `the order watcher asked the exchange again: it has no order ${order.clientOrderId} (${answer}): never placed, nothing filled; not asked about again nor ever sent again`,
    });
    this.ctx.recorder.emit('LOG', {
      component: 'OrderWatcher',
      message: `order ${order.clientOrderId} (${order.side} ${order.qty.toString()} ${order.symbol}), ${order.status === 'unknown' ? 'unknown since its attempt got no answer' : 'recorded but never confirmed sent'}, is not on the exchange (${answer}): it was never placed. Marked not_found: it is not asked about again nor ever sent again, and nothing of it was filled${order.side === 'sell' ? '; the position it was to sell is held, and its exit may send a new sell' : ''}`,
      data: { client_order_id: order.clientOrderId, symbol: order.symbol, side: order.side, previous_status: order.status, status: 'not_found' },
    }, { level: 'warn' });
  }
}

/**
 * The lines of a fill the store booked from a later answer about `order` (as the store held it
 * before that answer): the watcher's look-up, or the exit handler's cancel of a resting buy, whose
 * answer may report fills the watcher has not seen yet. Called inside the order's decision and intent.
 */
export function logFoundFill(ctx: EngineContext, order: OrderRecord, found: ExchangeOrder, booked: FillResult): void {
  const { recorder, markets, stats, bus } = ctx;
  const rules: MarketRules | undefined = markets.get(order.symbol);
  const partial = found.filledQty.lt(found.qty);
  const firstFill = !order.filledQty.isPositive();
  recorder.emit('ORDER_FILLED', {
    symbol: order.symbol, side: order.side, attempt: attemptOf(order.clientOrderId), client_order_id: order.clientOrderId,
    exchange_order_id: found.exchangeOrderId, filled_qty: found.filledQty, avg_px: found.avgPx ?? booked.fillPx, fee: found.fee, fee_currency: found.feeCurrency, partial,
  });
  // The increment's exact notional is what the exchange filled: its average price is rounded, and
  // qty x that price missed it (1.546167219999999756 for 1.54616722).
  const px = booked.fillPx;
  const label = rules ? priceLabel(rules, px) : px.toString();
  // A buy watched with nothing filled yet ended its decision `failed` (timed out, or left resting):
  // its first fill makes that decision a purchase after all. `unknown` orders were failures too.
  if (order.side === 'buy' && firstFill) stats.filledLate.buys++;
  if (order.status === 'unknown') stats.filledLate.failedOrders++;
  if (order.side === 'buy') {
    recorder.emit('BUY_FILLED', { symbol: order.symbol, qty: booked.bookedQty, avg_px: px, fee: booked.bookedFee, fee_currency: found.feeCurrency, notional: booked.bookedNotional, partial });
    if (firstFill) stats.buys++;
  } else if (order.exitRule) {
    const position = booked.position;
    recorder.emit('SELL_FILLED', {
      symbol: order.symbol, rule: order.exitRule, qty: booked.bookedQty, avg_px: px, entry_px: position?.entryPx ?? px, fee: booked.bookedFee,
      realized_pnl: booked.realizedPnl, holding_s: position ? holdingSeconds(position, booked.order.updatedAt) : 0,
    });
    if (firstFill) stats.sells++;
    bus.emit('SELL_FILLED', `${order.symbol} @ ${label} (${order.exitRule}, late fill)`, { realized_pnl: booked.realizedPnl.toString() });
  }
}

/**
 * The dashboard's BUY_FILLED notice of a buy whose fills were found after it was placed (a resting
 * GTC, an answer that timed out), written once: when `found`, the answer about `order` (as the store
 * held it before that answer, unsettled), settles it with something filled, in full or with the
 * rest canceled or expired. The order then leaves the watched orders, so no later answer notices it
 * again. One notice per fill found repeated the same "<symbol> @ <price>" for every part of an order
 * filling in parts (up to 10 for one order on the altcoin replay), none of them saying it was part.
 * Called inside the order's decision and intent.
 */
export function noteBuySettled(ctx: EngineContext, order: OrderRecord, found: ExchangeOrder): void {
  if (order.side !== 'buy' || !isTerminalStatus(found.status) || !found.filledQty.isPositive()) return;
  const rules: MarketRules | undefined = ctx.markets.get(order.symbol);
  // The whole order's average price: the notice tells the order, not its last part.
  const px = found.avgPx ?? found.filledNotional.div(found.filledQty, 18, 'down');
  const label = rules ? priceLabel(rules, px) : px.toString();
  const complete = !found.filledQty.lt(found.qty);
  const how = complete ? `filled late: ${found.filledQty.toString()} of ${found.qty.toString()}` : `partly filled: ${found.filledQty.toString()} of ${found.qty.toString()}, the rest ${found.status}`;
  ctx.bus.emit('BUY_FILLED', `${order.symbol} @ ${label} (${how})`, {
    qty: found.filledQty.toString(), requested_qty: found.qty.toString(), partial: !complete, late: true, intent_id: order.intentId,
  });
}

/** The attempt number a client order id carries (`<intent>-<attempt>`), 1 when it carries none. */
export function attemptOf(clientOrderId: string): number {
  const attempt = Number(clientOrderId.slice(clientOrderId.lastIndexOf('-') + 1));
  return Number.isInteger(attempt) && attempt > 0 ? attempt : 1;
}
