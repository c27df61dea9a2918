import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import { exchangeError, failure, type ExchangeError, type ExchangeResult } from '../execution/exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import type { ExitRule } from '../recorder/events/order-events.js';
import { currentTrace } from '../recorder/trace-context.js';
import type { OrderRecord } from '../store/records.js';
import type { FillResult, StateStore } from '../store/state-store.js';
import { isStoreError } from '../store/store-error.js';

/**
 * The exchange as the engine sees it: every order is recorded in the state store (status `new`,
 * with its decision and intent) before it is sent, and every answer the exchange gives about it is
 * booked at once, each in one transaction. So a kill at any moment leaves the store knowing every
 * client order id that may exist (reconciled at the next start, never sent again) and every fill
 * the exchange reported.
 */
export class StoreSyncedExchange implements Exchange {
  readonly name: string;
  private readonly exitRules = new Map<string, ExitRule>();
  private readonly fills = new Map<string, FillResult>();

  constructor(
    private readonly inner: Exchange,
    private readonly store: StateStore,
    /** The bot's clock (bar time in a replay): what status changes are booked at, and fills whose report carries no time. */
    private readonly now: () => number,
  ) {
    this.name = inner.name;
  }

  /** The exit rule a sell intent carries, stored with its orders so a fill booked after a restart knows why it sold. */
  tagExit(intentId: string, rule: ExitRule): void {
    this.exitRules.set(intentId, rule);
  }

  /**
   * Forgets the rule once the sell intent's route has returned: no order of that intent is placed
   * after it, and each placed one carries the rule in its row (a later fill still knows it).
   */
  releaseExit(intentId: string): void {
    this.exitRules.delete(intentId);
  }

  /** How many sell intents carry an exit rule right now: one per exit in flight, for tests of its footprint. */
  get exitsTagged(): number {
    return this.exitRules.size;
  }

  /**
   * Everything booked for a client order id since the last take, as one increment: quantity,
   * notional, fee and realized PnL summed, the order and position as the latest booking left them.
   * Whoever logs an order's fill takes it; one left here would be logged again as a new fill.
   */
  takeFill(clientOrderId: string): FillResult | undefined {
    const fill = this.fills.get(clientOrderId);
    this.fills.delete(clientOrderId);
    return fill;
  }

  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return this.inner.markets();
  }

  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return this.inner.balances();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    const trace = currentTrace();
    if (!trace?.decisionId || !trace.intentId) {
      throw new Error(`placeOrder ${request.clientOrderId}: no decision_id/intent_id in the trace context; orders are placed inside a decision`);
    }
    const exitRule = this.exitRules.get(trace.intentId);
    try {
      this.store.recordOrder({
        clientOrderId: request.clientOrderId, intentId: trace.intentId, decisionId: trace.decisionId, symbol: request.symbol, side: request.side,
        qty: request.qty, limitPx: request.type === 'limit' ? request.limitPx : Decimal.ZERO, ts: this.now(), ...(exitRule ? { exitRule } : {}),
      });
    } catch (error) {
      // The one refusal that is an answer, not a fault: this id may already exist at the exchange.
      if (isStoreError(error) && error.code === 'duplicate_order') return failure(exchangeError.duplicateOrder(error.message));
      throw error;
    }
    const result = await this.inner.placeOrder(request);
    this.absorb(request.clientOrderId, result, 'place');
    return result;
  }

  async fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    const result = await this.inner.fetchOrderByClientId(symbol, clientOrderId);
    this.absorb(clientOrderId, result, 'lookup');
    return result;
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    const result = await this.inner.cancelOrder(symbol, clientOrderId);
    this.absorb(clientOrderId, result, 'cancel');
    return result;
  }

  /** Books one answer about an order the store knows; answers about other orders are passed through untouched. */
  private absorb(clientOrderId: string, result: ExchangeResult<ExchangeOrder>, call: 'place' | 'lookup' | 'cancel'): void {
    const stored = this.store.order(clientOrderId);
    if (!stored) return;
    if (result.ok) this.book(stored, result.value);
    else if (call === 'place') this.markError(stored, result.error);
    // A lookup or cancel that fails says nothing of the order, except a lookup's "no such order".
    // Read as the order's own answer, a rejected lookup marked a sell the exchange had filled as
    // rejected: the watcher stopped asking, and the bot kept a position the exchange had sold.
    else if (call === 'lookup' && result.error.code === 'not_found' && (stored.status === 'new' || stored.status === 'unknown')) {
      this.store.updateOrder(stored.clientOrderId, { status: 'not_found', ts: this.now() });
    }
  }

  private book(stored: OrderRecord, seen: ExchangeOrder): void {
    const status = seen.status === 'new' ? 'submitted' : seen.status;
    const ts = this.now();
    if (seen.avgPx !== null && (seen.filledQty.gt(stored.filledQty) || (status !== stored.status && seen.filledQty.isPositive()))) {
      const booked = this.store.applyFill({
        clientOrderId: stored.clientOrderId, filledQty: seen.filledQty, avgPx: seen.avgPx, filledNotional: seen.filledNotional, fee: seen.fee, feeCurrency: seen.feeCurrency,
        status, exchangeOrderId: seen.exchangeOrderId, ts: fillTime(seen, ts),
      });
      const pending = this.fills.get(stored.clientOrderId);
      this.fills.set(stored.clientOrderId, pending ? merged(pending, booked) : booked);
      return;
    }
    if (status === stored.status || status === 'partially_filled' || status === 'filled') return;
    this.store.updateOrder(stored.clientOrderId, { status, exchangeOrderId: seen.exchangeOrderId, ts });
  }

  /**
   * A failed placement: a timeout that may have reached the exchange leaves the order `unknown`
   * (looked up again later); any other failure means the exchange holds no such order.
   */
  private markError(stored: OrderRecord, error: ExchangeError): void {
    if (stored.status !== 'new' && stored.status !== 'unknown') return;
    const ts = this.now();
    if (error.code === 'timeout' && error.mayHaveReached) {
      if (stored.status !== 'unknown') this.store.updateOrder(stored.clientOrderId, { status: 'unknown', ts });
      return;
    }
    if (error.code === 'duplicate_order') return;
    if (error.code === 'not_found') this.store.updateOrder(stored.clientOrderId, { status: 'not_found', ts });
    else if (error.code === 'rejected') this.store.updateOrder(stored.clientOrderId, { status: 'rejected', ts });
    else if (stored.status === 'new') this.store.updateOrder(stored.clientOrderId, { status: 'failed', ts });
  }
}

/**
 * When the exchange filled it: a fill found bars later (a resting GTC, a timed-out attempt) belongs
 * to that time, for the position's opening, the day of its PnL and the exit's time. The bot's clock
 * stands in only for a report that carries no time.
 */
function fillTime(seen: ExchangeOrder, now: number): number {
  return Number.isSafeInteger(seen.updatedAt) && seen.updatedAt > 0 ? seen.updatedAt : now;
}

function merged(earlier: FillResult, later: FillResult): FillResult {
  const bookedQty = earlier.bookedQty.add(later.bookedQty);
  const bookedNotional = earlier.bookedNotional.add(later.bookedNotional);
  return {
    ...later, bookedQty, bookedNotional, bookedFee: earlier.bookedFee.add(later.bookedFee), feeQuote: earlier.feeQuote.add(later.feeQuote),
    realizedPnl: earlier.realizedPnl.add(later.realizedPnl), fillPx: bookedQty.isZero() ? later.fillPx : bookedNotional.div(bookedQty),
  };
}
