import { Decimal } from '../domain/decimal.js';
import { newIntentId } from '../domain/ids.js';
import type { MarketRules } from '../domain/market-rules.js';
import type { OrderSizing, OrderTerms } from '../execution/order-terms.js';
import { isoTime, type Bar } from '../market-data/index.js';
import type { ExitRefusal, ExitRule } from '../recorder/events/order-events.js';
import { isRecorderError } from '../recorder/recorder-error.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import type { OrderRecord, PositionRecord } from '../store/records.js';
import { priceLabel, type EngineContext } from './engine-context.js';
import { EngineHaltError, errorCode, errorMessage, haltFor } from './engine-halt.js';
import { ExitBackoff } from './exit-backoff.js';
import { checkExit, exitSizing } from './exit-check.js';
import { exitTimeInForce, sellsNow } from './exit-time-in-force.js';
import { attemptOf, logFoundFill, noteBuySettled } from './order-watcher.js';
import { holdingSeconds } from '../store/holding-time.js';

interface Trigger {
  readonly rule: ExitRule;
  readonly triggerPx: Decimal;
}

/** Exit levels of one position, computed once per position (and per new peak), not per bar. */
interface Levels {
  readonly positionId: number;
  /** A buy of another decision merged into a remainder makes it that decision's trade, with its own peak. */
  readonly decisionId: string;
  readonly entryPx: Decimal;
  readonly stopPx: Decimal | null;
  readonly takePx: Decimal | null;
  peakPx: Decimal;
  trailPx: Decimal | null;
}

/** A position whose exit is held back: from the first refusal until it could be sold again. */
interface Blocked {
  readonly positionId: number;
  /** A buy merged into the held remainder makes it another decision's position: a spell of its own. */
  readonly decisionId: string;
  /**
   * The order value the router (or the exchange) refused although the pre-check passed it: the exit
   * is tried again only above it, so a stricter exchange cannot bring back a retry every bar.
   */
  refusedNotional: Decimal | null;
  /** The spell's line says a cancel of the bot's own resting order was tried and failed. */
  readonly cancelTried: boolean;
}

/** A cancel the exit asked for whose answer did not settle the order (lost, or not final yet). */
interface PendingCancel {
  readonly symbol: string;
  readonly rule: ExitRule;
}

/** States in which the store still counts an order unsettled (StateStore.openOrders). */
const UNSETTLED: ReadonlySet<OrderRecord['status']> = new Set<OrderRecord['status']>(['new', 'submitted', 'partially_filled', 'pending_cancel', 'unknown']);

/**
 * An order of the bot's own resting on the book in a state the exchange reported, which the exit of
 * `rule` cancels before it sells: a buy (it would keep buying into the move the rule fired on), or,
 * for a rule that must sell now, a sell left resting (a GTC take-profit sell, or a stop-loss sell
 * placed GTC before protective sells were IOC) whose limit the market may never come back to.
 */
function isCancelableFor(rule: ExitRule, order: OrderRecord): boolean {
  if (order.status !== 'submitted' && order.status !== 'partially_filled') return false;
  return order.side === 'buy' || sellsNow(rule);
}

/**
 * Sells open positions: stop loss, take profit, trailing stop (below the highest price since entry)
 * and max holding time, checked on each bar's close in that order. The sell runs inside
 * `withDecision(position.decisionId)`: EXIT_TRIGGERED, the router's lines and SELL_FILLED carry the
 * decision_id of the buy that opened the position, also after a restart (the store keeps it).
 *
 * A position worth less than the market's minimum order value cannot be sold: the router would
 * refuse the sell on every bar the rule fires. So the sell is first sized and validated exactly as
 * the router does it (`orderTerms`); below the minimum nothing is routed, one EXIT_BLOCKED says so,
 * and the position is held until its value reaches the minimum. Meanwhile it is dust, not an open
 * trade: neither max_open_positions nor already_in_position counts it, so the next signal buys again,
 * the buy adds to it (the position becomes that buy's: StateStore's booking), and the exit sells
 * them together. The pre-check runs on every bar, but no order is sent and no line written until
 * the spell ends.
 *
 * Stop loss, trailing stop and max holding time sell IOC whatever execution.tif (exitTimeInForce):
 * what a bar cannot fill expires and the rule, still firing, sells the rest on the next bar. Only a
 * take profit's sell may rest (GTC).
 *
 * An unsettled order on the symbol holds the sell back (a second sell could sell twice), except the
 * bot's own orders resting on the book in a known state: a buy (a GTC buy filling in parts), which
 * any rule cancels, and a sell (a GTC take-profit sell), which a stop loss, trailing stop or max
 * holding time cancels. The rule that fires first cancels it through the exchange (ORDER_CANCELED
 * reason exit_<rule>, under the order's own decision and intent, after EXIT_TRIGGERED), books any
 * fill the cancel's answer reports (a buy's grows the position, a sell's is a SELL_FILLED that
 * shrinks it, each booked once: the store books only what an answer adds), then sizes and sends the
 * sell of the position as the cancel left it on the same bar. A cancel that fails, or whose answer
 * leaves the order open, blocks the exit (EXIT_BLOCKED unsettled_order, saying what was tried): the
 * watcher asks about the order on every bar, the cancel is tried again on each bar the rule fires,
 * and the sell goes on the bar the order is found settled. A take-profit sell resting while take
 * profit fires again, or an order whose state is unknown, blocks the exit: nothing is canceled.
 */
export class ExitHandler {
  private readonly levels = new Map<string, Levels>();
  private readonly blocked = new Map<string, Blocked>();
  private readonly backoff = new ExitBackoff();
  /** Cancels asked for whose answer was lost or not final, by client order id: their ORDER_CANCELED is written when the watcher finds them settled. */
  private readonly pendingCancels = new Map<string, PendingCancel>();

  constructor(private readonly ctx: EngineContext) {}

  check(bar: Bar, rules: MarketRules): void | Promise<void> {
    if (this.pendingCancels.size > 0) this.settledCancels(bar.symbol);
    const position = this.ctx.portfolio.position(bar.symbol);
    if (!position) return;
    const trigger = this.fired(position, bar);
    const blocked = this.blockedOf(position);
    if (!trigger && !blocked) return;
    // The bot's own buy still resting on the book would keep buying into the move the rule fired on,
    // and its take-profit sell would hold back a stop: canceled first, whatever the pre-check says.
    const resting = trigger ? this.cancelable(bar.symbol, trigger.rule) : undefined;
    if (trigger && resting) return withDecision(position.decisionId, () => this.cancelThenExit(position, trigger, bar, rules, resting));
    return this.exit(position, trigger, blocked, bar, rules, false);
  }

  /** The sell of a position once nothing of the bot's own rests on the book: `announced` when EXIT_TRIGGERED is already written. */
  private exit(position: PositionRecord, trigger: Trigger | undefined, blocked: Blocked | undefined, bar: Bar, rules: MarketRules, announced: boolean): void | Promise<void> {
    const sizing = exitSizing(position.qty, bar.close, this.ctx.settings.slippageBps);
    const verdict = checkExit(rules, sizing, blocked?.refusedNotional ?? null);
    if (verdict.code !== 'send') {
      if (trigger && !blocked) {
        const until = verdict.code === 'below_min_qty'
          ? `a buy adds to it, or it is sold or swept by hand: its quantity is below what ${rules.symbol} trades (minimum ${rules.minQty.toString()}, lot ${rules.lotSize.toString()}), so no price will do; as dust it does not count as an open position, so the next buy signal of ${rules.symbol} is not refused for it`
          : `its value reaches the minimum ${verdict.terms.minNotional.toString()} ${rules.quoteAsset} or a buy adds to it: as dust it does not count as an open position, so the next buy signal of ${rules.symbol} is not refused for it`;
        this.block(position, trigger, bar, verdict.terms, 'pre_check', verdict.message, until);
      }
      return;
    }
    // Sellable again while no rule fires: a later refusal is a new spell, worth a new line.
    if (!trigger) return this.unblock(bar.symbol);
    // An earlier order on the symbol may still fill (a take-profit sell resting, a cancel not settled
    // yet, or unknown after a timeout that the watcher keeps asking about): a second sell could sell twice.
    const unsettled = this.ctx.portfolio.openOrder(bar.symbol);
    if (unsettled) {
      const why = `order ${unsettled.clientOrderId} (${unsettled.side}) is not settled yet (${unsettled.status}); a second sell could sell twice, and the exchange is asked about it on every bar`;
      return this.block(position, trigger, bar, verdict.terms, 'unsettled_order', why, 'that order settles');
    }
    // Held by the backoff after sells that keep failing for the same lasting reason (logged when it began).
    const retryAt = this.backoff.heldUntil(bar.symbol, position.id);
    if (retryAt !== undefined && bar.openTime < retryAt) return;
    return withDecision(position.decisionId, () => this.sell(position, trigger, bar, rules, sizing, verdict.terms, announced));
  }

  /** Every unsettled order on `symbol` when the exit of `rule` may cancel all of them; otherwise none. */
  private cancelable(symbol: string, rule: ExitRule): readonly OrderRecord[] | undefined {
    const { portfolio } = this.ctx;
    if (!portfolio.hasOpenOrder(symbol)) return undefined;
    const open = portfolio.store.openOrders().filter((order) => order.symbol === symbol);
    return open.length > 0 && open.every((order) => isCancelableFor(rule, order)) ? open : undefined;
  }

  /**
   * EXIT_TRIGGERED, then the cancel of each resting order (inside its own decision and intent), then,
   * when every cancel settled its order, the sell of the position as the cancels left it.
   */
  private async cancelThenExit(position: PositionRecord, trigger: Trigger, bar: Bar, rules: MarketRules, resting: readonly OrderRecord[]): Promise<void> {
    const { recorder, portfolio, observer } = this.ctx;
    const { symbol } = bar;
    let failures: string[];
    try {
      // No intent id here: a failed cancel, or the sell's pre-check, may leave this exit with no sell,
      // and an intent with no line after it would read as open for good. A kill before the sell is
      // begun is told by the restart from this line being the session's last (findCutOrders).
      recorder.emit('EXIT_TRIGGERED', { symbol, rule: trigger.rule, bar_ts: isoTime(bar.openTime), entry_px: position.entryPx, trigger_px: trigger.triggerPx, price: bar.close, qty: position.qty });
      failures = [];
      for (const order of resting) {
        const failed = await withDecision(order.decisionId, () => withIntent(order.intentId, () => this.cancel(order, trigger.rule)));
        if (failed !== undefined) failures.push(failed);
      }
      portfolio.refresh();
      observer.onPortfolioChanged?.();
    } catch (error) {
      return this.erred(error, symbol, trigger.rule);
    }
    const now = portfolio.position(symbol);
    if (!now) return;
    if (failures.length > 0) {
      const sizing = exitSizing(now.qty, bar.close, this.ctx.settings.slippageBps);
      const terms = checkExit(rules, sizing, null).terms;
      const why = `${failures.join('; ')}; no sell is sent while it may still fill (a second order could sell what is not yet known), the cancel is tried again on each bar the rule fires and the exchange is asked about the order on every bar`;
      return this.block(now, trigger, bar, terms, 'unsettled_order', why, 'that order settles', null, true);
    }
    return this.exit(now, trigger, this.blockedOf(now), bar, rules, true);
  }

  /**
   * Cancels one resting order and books what the answer reports. Returns undefined when the order is
   * settled (canceled, or found filled), else what was tried and how it failed, for EXIT_BLOCKED.
   */
  private async cancel(order: OrderRecord, rule: ExitRule): Promise<string | undefined> {
    const { exchange, recorder } = this.ctx;
    const id = order.clientOrderId;
    const tried = `order ${id} (${order.side}) was resting on the book (${order.status}, ${order.filledQty.toString()} of ${order.qty.toString()} filled) and the exit asked the exchange to cancel it`;
    const answer = await exchange.cancelOrder(order.symbol, id);
    const booked = exchange.takeFill(id);
    if (!answer.ok) {
      // A cancel whose answer was lost may have canceled the order: the watcher finds out, and its line is written then.
      this.pendingCancels.set(id, { symbol: order.symbol, rule });
      const reached = answer.error.code === 'timeout' && answer.error.mayHaveReached ? ' (it may have reached the exchange: the order is looked up on the next bar)' : '';
      return `${tried}, but the cancel failed (${answer.error.code}: ${answer.error.message})${reached}`;
    }
    const seen = answer.value;
    // A fill the watcher had not seen yet (the order filled further, or completely, before the cancel):
    // a buy's grows the position, a sell's (SELL_FILLED) shrinks it; the sell that follows sells what is left.
    if (booked?.bookedQty.isPositive()) logFoundFill(this.ctx, order, seen, booked);
    noteBuySettled(this.ctx, order, seen);
    if (seen.status === 'canceled' || seen.status === 'expired') {
      this.pendingCancels.delete(id);
      recorder.emit('ORDER_CANCELED', { symbol: order.symbol, side: order.side, attempt: attemptOf(id), client_order_id: id, reason: `exit_${rule}`, filled_qty: seen.filledQty });
      return undefined;
    }
    const stored = this.ctx.portfolio.store.order(id);
    if (stored === undefined || !UNSETTLED.has(stored.status)) {
      this.pendingCancels.delete(id);
      return undefined; // Filled before the cancel reached it (its ORDER_FILLED says so), or closed otherwise.
    }
    this.pendingCancels.set(id, { symbol: order.symbol, rule });
    return `${tried}, but the exchange answered the cancel with ${seen.status} (${seen.filledQty.toString()} filled)`;
  }

  /**
   * The ORDER_CANCELED of a cancel whose answer did not settle the order, once the store has it
   * settled (the watcher's look-up, before the exits): written inside the order's decision and intent.
   */
  private settledCancels(symbol: string): void {
    const { portfolio, recorder } = this.ctx;
    for (const [id, pending] of this.pendingCancels) {
      if (pending.symbol !== symbol) continue;
      const order = portfolio.store.order(id);
      if (order !== undefined && UNSETTLED.has(order.status)) continue;
      this.pendingCancels.delete(id);
      if (order === undefined || (order.status !== 'canceled' && order.status !== 'expired')) continue;
      withDecision(order.decisionId, () => withIntent(order.intentId, () => recorder.emit('ORDER_CANCELED', {
        symbol: order.symbol, side: order.side, attempt: attemptOf(id), client_order_id: id, reason: `exit_${pending.rule}`, filled_qty: order.filledQty,
      })));
    }
  }

  private blockedOf(position: PositionRecord): Blocked | undefined {
    const known = this.blocked.get(position.symbol);
    if (known === undefined || (known.positionId === position.id && known.decisionId === position.decisionId)) return known;
    this.unblock(position.symbol);
    return undefined;
  }

  /** Opens a blocked spell with its one EXIT_BLOCKED line; within a spell, only remembers a router refusal. */
  private block(position: PositionRecord, trigger: Trigger, bar: Bar, terms: OrderTerms, refusedBy: ExitRefusal, why: string, until: string, refusedNotional: Decimal | null = null, cancelTried = false): void {
    const { recorder, stats } = this.ctx;
    const known = this.blocked.get(position.symbol);
    // A failed cancel of a resting order is told once per position even inside an earlier spell: it says what was tried.
    if (known?.positionId === position.id && known.decisionId === position.decisionId && (known.cancelTried || !cancelTried)) {
      known.refusedNotional = refusedNotional ?? known.refusedNotional;
      return;
    }
    this.blocked.set(position.symbol, { positionId: position.id, decisionId: position.decisionId, refusedNotional: refusedNotional ?? known?.refusedNotional ?? null, cancelTried });
    stats.exitsBlocked++;
    stats.exitsBlockedBy.set(refusedBy, (stats.exitsBlockedBy.get(refusedBy) ?? 0) + 1);
    stats.exitBlockedNow.set(position.symbol, refusedBy);
    recorder.emit('EXIT_BLOCKED', {
      decision_id: position.decisionId, symbol: position.symbol, rule: trigger.rule, bar_ts: isoTime(bar.openTime), trigger_px: trigger.triggerPx, price: bar.close,
      qty: terms.qty, limit_px: terms.limitPx, notional: terms.notional, min_notional: terms.minNotional, refused_by: refusedBy,
      message: `${trigger.rule} fired but the sell ${refusedBy === 'router' ? 'was refused' : 'is not sent'}: ${why}; the position is held until ${until} (logged once until then)`,
    });
  }

  private unblock(symbol: string): void {
    this.blocked.delete(symbol);
    this.ctx.stats.exitBlockedNow.delete(symbol);
  }

  private levelsOf(position: PositionRecord): Levels {
    const known = this.levels.get(position.symbol);
    if (known?.positionId === position.id && known.decisionId === position.decisionId && known.entryPx.eq(position.entryPx)) return known;
    const { exits } = this.ctx.settings;
    const levels: Levels = {
      positionId: position.id,
      decisionId: position.decisionId,
      entryPx: position.entryPx,
      stopPx: exits.stopLoss.isZero() ? null : position.entryPx.mul(Decimal.ONE.sub(exits.stopLoss)),
      takePx: exits.takeProfit.isZero() ? null : position.entryPx.mul(Decimal.ONE.add(exits.takeProfit)),
      peakPx: position.peakPx,
      trailPx: exits.trailingStop.isZero() ? null : position.peakPx.mul(Decimal.ONE.sub(exits.trailingStop)),
    };
    this.levels.set(position.symbol, levels);
    return levels;
  }

  private fired(position: PositionRecord, bar: Bar): Trigger | undefined {
    const levels = this.levelsOf(position);
    const { exits } = this.ctx.settings;
    if (levels.trailPx !== null && bar.high.gt(levels.peakPx)) {
      // The store keeps the peak (written at most once a second), so a restart trails from it too.
      this.ctx.portfolio.store.updatePeak(bar.symbol, bar.high, bar.openTime);
      levels.peakPx = bar.high;
      levels.trailPx = bar.high.mul(Decimal.ONE.sub(exits.trailingStop));
    }
    const close = bar.close;
    if (levels.stopPx !== null && close.lte(levels.stopPx)) return { rule: 'stop_loss', triggerPx: levels.stopPx };
    if (levels.takePx !== null && close.gte(levels.takePx)) return { rule: 'take_profit', triggerPx: levels.takePx };
    if (levels.trailPx !== null && close.lte(levels.trailPx)) return { rule: 'trailing_stop', triggerPx: levels.trailPx };
    if (exits.maxHoldingMs > 0 && bar.openTime + this.ctx.intervalMs - position.openedAt >= exits.maxHoldingMs) return { rule: 'max_holding_time', triggerPx: close };
    return undefined;
  }

  private async sell(position: PositionRecord, trigger: Trigger, bar: Bar, rules: MarketRules, sizing: OrderSizing, terms: OrderTerms, announced: boolean): Promise<void> {
    const { recorder, router, exchange, settings, stats, observer, bus, portfolio } = this.ctx;
    const { symbol } = bar;
    const intentId = newIntentId();
    try {
      // The sell's intent id is on EXIT_TRIGGERED, as a buy's is on BUY_ORDER: a kill before its first
      // ORDER_CONTEXT leaves an intent a restart closes (never sent), and `orders --intent` finds it.
      if (!announced) recorder.emit('EXIT_TRIGGERED', { intent_id: intentId, symbol, rule: trigger.rule, bar_ts: isoTime(bar.openTime), entry_px: position.entryPx, trigger_px: trigger.triggerPx, price: bar.close, qty: position.qty });
      exchange.tagExit(intentId, trigger.rule);
      stats.intents++;
      await withIntent(intentId, async () => {
        const routed = await router.route({
          ...sizing, intentId, symbol, tif: exitTimeInForce(trigger.rule, settings.tif), maxRetries: settings.maxRetries, retryBackoffMs: settings.retryBackoffMs,
        });
        portfolio.refresh();
        observer.onPortfolioChanged?.();
        if (!routed.ok) {
          stats.failure(routed.error.reason);
          observer.onOrderFailed?.(routed.error.reason);
          if (routed.error.reason === 'recorder_unavailable') throw new EngineHaltError('recorder_unavailable', routed.error.message);
          // Below the minimum after all (the exchange is stricter than its rules say): held like a
          // pre-check block, instead of the same refusal on every bar.
          if (routed.error.reason === 'min_notional') {
            return this.block(position, trigger, bar, terms, 'router', routed.error.message, `its order value exceeds ${terms.notional.toString()} ${rules.quoteAsset}`, terms.notional);
          }
          const wait = this.backoff.failed(symbol, position.id, routed.error.reason, bar.openTime, this.ctx.intervalMs);
          if (wait) {
            const why = `the sell failed ${wait.count} times in a row for a reason the next bar will not change (last: ${routed.error.reason}: ${routed.error.message})`;
            return this.block(position, trigger, bar, terms, 'router', why, `a sell succeeds: retried after ${wait.waitBars} bars, the wait doubling after each failure up to 64`);
          }
          this.unblock(symbol);
          return; // The position stays; the rule fires again on the next bar.
        }
        this.unblock(symbol);
        this.backoff.succeeded(symbol);
        const fill = routed.value;
        const booked = exchange.takeFill(fill.clientOrderId);
        if (!fill.filledQty.isPositive() || fill.avgPx === null || !booked) return;
        const closeTime = bar.openTime + this.ctx.intervalMs;
        recorder.emit('SELL_FILLED', {
          symbol, rule: trigger.rule, qty: fill.filledQty, avg_px: fill.avgPx, entry_px: position.entryPx, fee: fill.fee,
          realized_pnl: booked.realizedPnl, holding_s: holdingSeconds(position, closeTime),
        });
        stats.sells++;
        stats.lastExitDecision = position.decisionId;
        const pnl = booked.realizedPnl;
        bus.emit('SELL_FILLED', `${symbol} @ ${priceLabel(rules, fill.avgPx)} (${trigger.rule}, PnL ${pnl.isNegative() ? '' : '+'}${pnl.toFixed(pnl.abs().toNumber() >= 1 ? 2 : 8)} ${rules.quoteAsset})`, {
          rule: trigger.rule, realized_pnl: pnl.toString(), decision_id: position.decisionId,
        });
      });
    } catch (error) {
      this.erred(error, symbol, trigger.rule);
    } finally {
      // The route has returned: no order of this intent is placed after it, and each one placed carries the rule in its row.
      exchange.releaseExit(intentId);
    }
  }

  /** An exit that errs is reported and retried on the next bar (the position is still held); a recorder failure or a halt goes on up. */
  private erred(error: unknown, symbol: string, rule: ExitRule): void {
    const halt = haltFor(error);
    if (isRecorderError(error)) throw error;
    if (halt) throw halt;
    this.ctx.recorder.emit('ERROR', { error_code: errorCode(error), message: `exit of ${symbol} (${rule}): ${errorMessage(error)}`, component: 'ExitHandler' });
  }
}
