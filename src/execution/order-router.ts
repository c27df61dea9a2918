import { randomInt } from 'node:crypto';
import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import { isOpenStatus } from '../domain/order-state.js';
import { err, ok } from '../domain/result.js';
import { seededRandom, type SeededRandom } from '../domain/seeded-random.js';
import type { OrderFailureReason } from '../recorder/events/order-events.js';
import type { Recorder } from '../recorder/recorder.js';
import { isRecorderError } from '../recorder/recorder-error.js';
import { sanitizeText } from '../recorder/redaction.js';
import { withIntent } from '../recorder/trace-context.js';
import { clientOrderIdFor } from './client-order-id.js';
import type { ExchangeError } from './exchange-error.js';
import type { Exchange, ExchangeOrder } from './exchange.js';
import { reasonForError, reasonForRule } from './failure-reason.js';
import type { OrderFill, OrderIntent, OrderResult } from './order-intent.js';
import { orderTerms } from './order-terms.js';
import { retryWaitMs, type RetryAfterTooLong } from './retry-backoff.js';
import { checkIntent } from './intent-check.js';

export interface OrderRouterOptions {
  readonly exchange: Exchange;
  readonly recorder: Recorder;
  /** The rules of every market the router may trade (from `exchange.markets()` at startup). */
  readonly markets: readonly MarketRules[];
  /** Jitter source; seeded in tests, random by default. */
  readonly random?: SeededRandom;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Unix ms, for `attempt_start_ts`. */
  readonly now?: () => number;
}

/** How many times a timed-out attempt's order is looked up before the router gives up on knowing. */
const MAX_STATE_CHECKS = 4;

interface Attempt {
  readonly intent: OrderIntent;
  readonly qty: Decimal;
  readonly limitPx: Decimal;
  attempt: number;
  clientOrderId: string;
  /** The last state the exchange reported for the intent's order, if it ever got one. */
  known?: ExchangeOrder;
  /**
   * This attempt's order was handed to the exchange and no answer has ruled it out yet (the send
   * is under way, or timed out after the request left and no lookup has found or missed it).
   */
  mayHaveReached: boolean;
}

type StateCheck =
  | { kind: 'found'; order: ExchangeOrder }
  | { kind: 'absent' }
  | { kind: 'unknown'; error: ExchangeError; tooLong?: RetryAfterTooLong };

/**
 * Turns an order intent into at most one live order. Per attempt it writes ORDER_CONTEXT (every
 * constraint, on disk) and only then sends; the client order id is `<intent>-<attempt>`, and after a
 * timeout the router looks the attempt's order up by that id before any resend, so a retry never
 * makes a second order. Retryable errors (timeout, rate_limited, network, unavailable) wait an
 * exponential backoff with full jitter: `random(0 .. min(30 s, retry_backoff_ms x 2^(retry-1)))`,
 * and never less than the exchange's Retry-After; a Retry-After over 30 s ends the intent as
 * rate_limited without another request (see retryWaitMs). A RecorderError at any point stops the
 * intent: nothing is sent after a line that could not be written.
 */
export class OrderRouter {
  private readonly rules: ReadonlyMap<string, MarketRules>;
  private readonly random: SeededRandom;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: OrderRouterOptions) {
    this.rules = new Map(options.markets.map((m) => [m.symbol, m]));
    this.random = options.random ?? seededRandom(randomInt(2 ** 31));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Routes one intent; every line it writes carries the intent id (and the enclosing decision id). */
  route(intent: OrderIntent): Promise<OrderResult> {
    return withIntent(intent.intentId, async () => {
      const state: { current?: Attempt } = {};
      try {
        return await this.run(intent, state);
      } catch (error) {
        if (isRecorderError(error)) return this.recorderDown(intent, state.current, error.message);
        this.stoppedByError(intent, state.current, error);
        throw error;
      }
    });
  }

  private async run(intent: OrderIntent, state: { current?: Attempt }): Promise<OrderResult> {
    const { recorder, exchange } = this.options;
    const rules = this.rules.get(intent.symbol);
    const problem = checkIntent(intent, rules);
    if (problem || !rules) return this.fail(intent, 'invalid_order', problem ?? `unknown symbol ${intent.symbol}`, 1);

    const terms = orderTerms(rules, intent);
    const { qty, limitPx, notional, quoteBudget, minNotional } = terms;
    const run: Attempt = { intent, qty, limitPx, attempt: 1, clientOrderId: clientOrderIdFor(intent.intentId, 1), mayHaveReached: false };
    state.current = run;

    const logContext = () =>
      recorder.emit('ORDER_CONTEXT', {
        symbol: intent.symbol, side: intent.side, qty, limit_px: limitPx, quote_budget: quoteBudget, notional,
        tif: intent.tif, slippage_bps: intent.slippageBps, min_notional: minNotional, max_retries: intent.maxRetries,
        retry_backoff_ms: intent.retryBackoffMs, attempt: run.attempt, attempt_start_ts: this.now() / 1000,
        client_order_id: run.clientOrderId, reference_px: intent.referencePx,
      });

    logContext();
    const { valid } = terms;
    if (!valid.ok) return this.fail(intent, reasonForRule(valid.error.code), `not sent: ${valid.error.message}`, 1);

    let retries = 0;
    for (;;) {
      // Set before the call: if it throws, or its answer is lost, the order may be on the exchange.
      run.mayHaveReached = true;
      const placed = await exchange.placeOrder({
        clientOrderId: run.clientOrderId, symbol: intent.symbol, side: intent.side, type: 'limit', qty, limitPx, tif: intent.tif,
      });
      if (placed.ok) return this.settle(run, placed.value);
      const error = placed.error;
      // Any answer but a timeout after the request left means the exchange holds no such order.
      run.mayHaveReached = error.code === 'timeout' && error.mayHaveReached;
      if (!error.retryable) {
        return this.fail(intent, reasonForError(error), `attempt ${run.attempt}: ${error.code}: ${error.message}`, run.attempt, run.clientOrderId);
      }
      let why = error.message;
      if (error.code === 'timeout' && error.mayHaveReached) {
        const check = await this.checkState(run, error);
        if (check.kind === 'found') return this.settle(run, check.order);
        if (check.kind === 'unknown') {
          const tooLong = check.tooLong ? `; ${retryAfterTooLong(check.tooLong)}` : '';
          return this.fail(
            intent, 'timeout_exhausted',
            `attempt ${run.attempt} timed out and order ${run.clientOrderId} could not be looked up (${check.error.code}: ${check.error.message}${tooLong}); not resending, so as never to place a second order`,
            run.attempt, run.clientOrderId,
          );
        }
        why = `${error.message}; order ${run.clientOrderId} not found on the exchange`;
      }
      if (retries >= intent.maxRetries) {
        return this.fail(intent, reasonForError(error), `gave up after ${run.attempt} attempts; last: ${error.code}: ${why}`, run.attempt, run.clientOrderId);
      }
      retries++;
      const retryAfter = error.code === 'rate_limited' ? error.retryAfterMs : null;
      const wait = retryWaitMs(retries, intent.retryBackoffMs, this.random, retryAfter);
      if (!wait.ok) {
        return this.fail(
          intent, reasonForError(error),
          `attempt ${run.attempt}: ${error.code}: ${why}; ${retryAfterTooLong(wait.error)}; not resending, as an early request would extend the limit`,
          run.attempt, run.clientOrderId,
        );
      }
      recorder.emit('ORDER_RETRY', {
        symbol: intent.symbol, attempt: run.attempt, next_attempt: run.attempt + 1, reason: error.code,
        message: retryAfter === null ? why : `${why}; waiting at least the exchange's Retry-After of ${Math.ceil(retryAfter)} ms`, backoff_ms: wait.value,
      });
      await this.sleep(wait.value);
      run.attempt++;
      run.clientOrderId = clientOrderIdFor(intent.intentId, run.attempt);
      logContext();
    }
  }

  /** After a timeout: does the attempt's order exist? Lookups that fail are retried with backoff. */
  private async checkState(run: Attempt, timeout: ExchangeError): Promise<StateCheck> {
    let last = timeout;
    for (let check = 1; check <= MAX_STATE_CHECKS; check++) {
      const found = await this.options.exchange.fetchOrderByClientId(run.intent.symbol, run.clientOrderId);
      if (found.ok) return { kind: 'found', order: found.value };
      if (found.error.code === 'not_found') {
        run.mayHaveReached = false;
        return { kind: 'absent' };
      }
      last = found.error;
      if (!found.error.retryable || check === MAX_STATE_CHECKS) break;
      const retryAfter = found.error.code === 'rate_limited' ? found.error.retryAfterMs : null;
      const wait = retryWaitMs(check, run.intent.retryBackoffMs, this.random, retryAfter);
      if (!wait.ok) return { kind: 'unknown', error: found.error, tooLong: wait.error };
      const honoured = retryAfter === null ? '' : `; waiting at least the exchange's Retry-After of ${Math.ceil(retryAfter)} ms`;
      this.options.recorder.emit('ORDER_RETRY', {
        symbol: run.intent.symbol, attempt: run.attempt, next_attempt: run.attempt, reason: 'order_state_unknown',
        message: `looking up ${run.clientOrderId} after a timeout: ${found.error.code}: ${found.error.message}${honoured}`, backoff_ms: wait.value,
      });
      await this.sleep(wait.value);
    }
    return { kind: 'unknown', error: last };
  }

  /** Logs what the exchange reports for the attempt's order and turns it into the intent's result. */
  private settle(run: Attempt, order: ExchangeOrder): OrderResult {
    run.known = order;
    const { recorder } = this.options;
    const { intent } = run;
    const base = { symbol: intent.symbol, side: intent.side, attempt: run.attempt, client_order_id: order.clientOrderId };
    recorder.emit('ORDER_SUBMITTED', { ...base, exchange_order_id: order.exchangeOrderId, status: order.status });
    const fill = fillOf(run, order);
    if (order.filledQty.isPositive()) {
      recorder.emit('ORDER_FILLED', {
        ...base, exchange_order_id: order.exchangeOrderId, filled_qty: order.filledQty, avg_px: order.avgPx ?? Decimal.ZERO,
        fee: order.fee, fee_currency: order.feeCurrency, partial: fill.partial,
      });
    }
    if (order.status === 'expired' || order.status === 'canceled') {
      const reason = order.status === 'expired' ? `${order.tif.toLowerCase()}_expired` : 'canceled_by_exchange';
      recorder.emit('ORDER_CANCELED', { ...base, reason, filled_qty: order.filledQty });
    }
    if (order.filledQty.isZero() && !isOpenStatus(order.status)) {
      const { reason, message } = unfilled(run, order);
      return this.fail(intent, reason, message, run.attempt, order.clientOrderId);
    }
    return ok(fill);
  }

  private fail(intent: OrderIntent, reason: OrderFailureReason, message: string, attempt: number, clientOrderId?: string): OrderResult {
    const clean = sanitizeText(message);
    this.options.recorder.emit('ORDER_FAILED', {
      symbol: intent.symbol, side: intent.side, reason, message: clean, attempt,
      ...(clientOrderId ? { client_order_id: clientOrderId } : {}),
    });
    return err({ reason, message: clean, ...(clientOrderId ? { clientOrderId } : {}) });
  }

  /**
   * An error inside the bot (the state store failing to record the order, a bug) stopped the intent:
   * its lines end with ORDER_FAILED, not with an ORDER_CONTEXT that readers would show open forever.
   * An order that reached the exchange is in the state store, so the next start reconciles it.
   */
  private stoppedByError(intent: OrderIntent, run: Attempt | undefined, error: unknown): void {
    const cause = error instanceof Error ? error.message : String(error);
    const order = run ? `if order ${run.clientOrderId} reached the exchange, the next start reconciles it` : 'no order was sent';
    try {
      this.options.recorder.emit('ORDER_FAILED', {
        symbol: intent.symbol, side: intent.side, reason: 'unknown', message: sanitizeText(`stopped by an error inside the bot: ${cause}; ${order}`), attempt: run?.attempt ?? 1,
        ...(run ? { client_order_id: run.clientOrderId } : {}),
      });
    } catch {
      // The error itself goes on to the caller, which halts the engine and reports it.
    }
  }

  /**
   * The recorder failed: stop, and say so once more if it lets us (never a second try after that).
   * The line may not be writable at all; the message also becomes the engine's halt reason, so it
   * must not call an order unsent that the exchange may hold.
   */
  private recorderDown(intent: OrderIntent, run: Attempt | undefined, cause: string): OrderResult {
    let fate = 'order not sent';
    if (run?.known) fate = `order ${run.clientOrderId} was already sent, nothing more will be`;
    else if (run?.mayHaveReached) {
      // The store-synced exchange recorded the order before sending it, as `unknown` after the
      // timeout, so reconciliation at the next start looks it up and books what it finds.
      fate = `order ${run.clientOrderId} may have reached the exchange (sent, no answer yet), nothing more will be sent; the next start reconciles it`;
    }
    const message = sanitizeText(`flight recorder unavailable (${cause}); ${fate}`);
    try {
      this.options.recorder.emit('ORDER_FAILED', {
        symbol: intent.symbol, side: intent.side, reason: 'recorder_unavailable', message, attempt: run?.attempt ?? 1,
        ...(run ? { client_order_id: run.clientOrderId } : {}),
      });
    } catch {
      // The same broken recorder: the typed result below is the only report left.
    }
    return err({
      reason: 'recorder_unavailable', message,
      ...(run ? { clientOrderId: run.clientOrderId } : {}),
      ...(run?.known ? { fill: fillOf(run, run.known) } : {}),
    });
  }
}

/** Names the wait the exchange asked for, for an intent that will not wait that long. */
function retryAfterTooLong({ retryAfterMs, maxWaitMs }: RetryAfterTooLong): string {
  return `the exchange asks to wait ${retryAfterMs} ms (Retry-After), longer than the ${maxWaitMs} ms an intent may wait before its next request`;
}

function fillOf(run: Attempt, order: ExchangeOrder): OrderFill {
  return {
    intentId: run.intent.intentId, symbol: order.symbol, side: order.side, attempt: run.attempt,
    clientOrderId: order.clientOrderId, exchangeOrderId: order.exchangeOrderId, status: order.status,
    requestedQty: order.qty, limitPx: run.limitPx, filledQty: order.filledQty, avgPx: order.avgPx,
    fee: order.fee, feeCurrency: order.feeCurrency, partial: order.filledQty.lt(order.qty), open: isOpenStatus(order.status),
  };
}

/**
 * Why a finished order filled nothing, as the venue let us know. A limit beyond the market is
 * slippage (`execution.slippage_bps` too tight); a marketable order the market had no volume for is
 * no_liquidity, which a wider limit would not have filled. A venue that only says "expired" (most
 * real ones) gets slippage, with both causes named.
 */
function unfilled(run: Attempt, order: ExchangeOrder): { reason: OrderFailureReason; message: string } {
  if (order.status === 'rejected') return { reason: 'rejected', message: `order ${order.clientOrderId} rejected by the exchange` };
  const limit = `limit ${run.limitPx.toString()} (slippage_bps ${run.intent.slippageBps} from ${run.intent.referencePx.toString()})`;
  if (order.unfilledBecause === 'no_liquidity') {
    return { reason: 'no_liquidity', message: `no fill at ${limit}: the limit was marketable, but the market had no volume for this ${order.tif} order of ${order.qty.toString()}` };
  }
  const cause = order.unfilledBecause === 'beyond_limit' ? 'the market was beyond the limit' : `the market was beyond the limit or too thin for ${order.tif}`;
  return { reason: 'slippage', message: `no fill within ${limit}: ${cause}` };
}
