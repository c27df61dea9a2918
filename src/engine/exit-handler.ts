import { Decimal } from '../domain/decimal.js';
import { newIntentId } from '../domain/ids.js';
import type { MarketRules } from '../domain/market-rules.js';
import type { OrderSizing, OrderTerms } from '../execution/order-terms.js';
import type { Bar } from '../market-data/index.js';
import type { ExitRefusal, ExitRule } from '../recorder/events/order-events.js';
import { isRecorderError } from '../recorder/recorder-error.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import type { PositionRecord } from '../store/records.js';
import { priceLabel, type EngineContext } from './engine-context.js';
import { EngineHaltError, errorCode, errorMessage, haltFor } from './engine-halt.js';
import { ExitBackoff } from './exit-backoff.js';
import { checkExit, exitSizing } from './exit-check.js';
import { holdingSeconds } from '../store/holding-time.js';

interface Trigger {
  readonly rule: ExitRule;
  readonly triggerPx: Decimal;
}

/** Exit levels of one position, computed once per position (and per new peak), not per bar. */
interface Levels {
  readonly positionId: number;
  readonly entryPx: Decimal;
  readonly stopPx: Decimal | null;
  readonly takePx: Decimal | null;
  peakPx: Decimal;
  trailPx: Decimal | null;
}

/** A position whose exit is held back: from the first refusal until it could be sold again. */
interface Blocked {
  readonly positionId: number;
  /**
   * The order value the router (or the exchange) refused although the pre-check passed it: the exit
   * is tried again only above it, so a stricter exchange cannot bring back a retry every bar.
   */
  refusedNotional: Decimal | null;
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
 * and the position is held (still counted by the buy guards) until its value reaches the minimum.
 */
export class ExitHandler {
  private readonly levels = new Map<string, Levels>();
  private readonly blocked = new Map<string, Blocked>();
  private readonly backoff = new ExitBackoff();

  constructor(private readonly ctx: EngineContext) {}

  check(bar: Bar, rules: MarketRules): void | Promise<void> {
    const position = this.ctx.portfolio.position(bar.symbol);
    if (!position) return;
    const trigger = this.fired(position, bar);
    const blocked = this.blockedOf(position);
    if (!trigger && !blocked) return;
    const sizing = exitSizing(position.qty, bar.close, this.ctx.settings.slippageBps);
    const verdict = checkExit(rules, sizing, blocked?.refusedNotional ?? null);
    if (verdict.code !== 'send') {
      if (trigger && !blocked) {
        const until = verdict.code === 'below_min_qty'
          ? `it is sold or swept by hand: its quantity is below what ${rules.symbol} trades (minimum ${rules.minQty.toString()}, lot ${rules.lotSize.toString()}), so no price will do`
          : `its value reaches the minimum ${verdict.terms.minNotional.toString()} ${rules.quoteAsset}`;
        this.block(position, trigger, bar, verdict.terms, 'pre_check', verdict.message, until);
      }
      return;
    }
    // Sellable again while no rule fires: a later refusal is a new spell, worth a new line.
    if (!trigger) return this.unblock(bar.symbol);
    // An earlier order on the symbol may still fill (resting, or unknown after a timeout that the
    // watcher keeps asking about): a second sell now could sell the position twice.
    const unsettled = this.ctx.portfolio.openOrder(bar.symbol);
    if (unsettled) {
      const why = `order ${unsettled.clientOrderId} (${unsettled.side}) is not settled yet (${unsettled.status}); a second sell could sell twice, and the exchange is asked about it on every bar`;
      return this.block(position, trigger, bar, verdict.terms, 'unsettled_order', why, 'that order settles');
    }
    // Held by the backoff after sells that keep failing for the same lasting reason (logged when it began).
    const retryAt = this.backoff.heldUntil(bar.symbol, position.id);
    if (retryAt !== undefined && bar.openTime < retryAt) return;
    return withDecision(position.decisionId, () => this.sell(position, trigger, bar, rules, sizing, verdict.terms));
  }

  private blockedOf(position: PositionRecord): Blocked | undefined {
    const known = this.blocked.get(position.symbol);
    if (known === undefined || known.positionId === position.id) return known;
    this.unblock(position.symbol);
    return undefined;
  }

  /** Opens a blocked spell with its one EXIT_BLOCKED line; within a spell, only remembers a router refusal. */
  private block(position: PositionRecord, trigger: Trigger, bar: Bar, terms: OrderTerms, refusedBy: ExitRefusal, why: string, until: string, refusedNotional: Decimal | null = null): void {
    const { recorder, stats } = this.ctx;
    const known = this.blocked.get(position.symbol);
    if (known?.positionId === position.id) {
      known.refusedNotional = refusedNotional ?? known.refusedNotional;
      return;
    }
    this.blocked.set(position.symbol, { positionId: position.id, refusedNotional });
    stats.exitsBlocked++;
    stats.exitsBlockedBy.set(refusedBy, (stats.exitsBlockedBy.get(refusedBy) ?? 0) + 1);
    stats.exitBlockedNow.set(position.symbol, refusedBy);
    recorder.emit('EXIT_BLOCKED', {
      decision_id: position.decisionId, symbol: position.symbol, rule: trigger.rule, trigger_px: trigger.triggerPx, price: bar.close,
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
    if (known?.positionId === position.id && known.entryPx.eq(position.entryPx)) return known;
    const { exits } = this.ctx.settings;
    const levels: Levels = {
      positionId: position.id,
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

  private async sell(position: PositionRecord, trigger: Trigger, bar: Bar, rules: MarketRules, sizing: OrderSizing, terms: OrderTerms): Promise<void> {
    const { recorder, router, exchange, settings, stats, observer, bus, portfolio } = this.ctx;
    const { symbol } = bar;
    const intentId = newIntentId();
    try {
      recorder.emit('EXIT_TRIGGERED', { symbol, rule: trigger.rule, entry_px: position.entryPx, trigger_px: trigger.triggerPx, price: bar.close, qty: position.qty });
      exchange.tagExit(intentId, trigger.rule);
      stats.intents++;
      await withIntent(intentId, async () => {
        const routed = await router.route({
          ...sizing, intentId, symbol, tif: settings.tif, maxRetries: settings.maxRetries, retryBackoffMs: settings.retryBackoffMs,
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
      const halt = haltFor(error);
      if (isRecorderError(error) || !halt) {
        if (isRecorderError(error)) throw error;
        // An exit that errs is reported and retried on the next bar; the position is still held.
        recorder.emit('ERROR', { error_code: errorCode(error), message: `exit of ${symbol} (${trigger.rule}): ${errorMessage(error)}`, component: 'ExitHandler' });
        return;
      }
      throw halt;
    }
  }
}
