import { Decimal } from '../domain/decimal.js';
import { newDecisionId, newIntentId } from '../domain/ids.js';
import type { MarketRules } from '../domain/market-rules.js';
import { limitPriceFor, qtyForBudget, smallestBuy } from '../domain/order-rounding.js';
import type { OrderResult } from '../execution/order-intent.js';
import { isoTime, type Bar } from '../market-data/index.js';
import type { DecisionOutcome } from '../recorder/events/decision-events.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { evaluateBuyGuards, type BuyFunds, type GuardSnapshot, type Signal, type Strategy } from '../strategy/index.js';
import type { PositionRecord } from '../store/records.js';
import { CountedPositions } from './counted-positions.js';
import type { EndedFeeds } from './ended-feeds.js';
import { priceLabel, type EngineContext } from './engine-context.js';
import { EngineHaltError, errorCode, errorMessage, haltFor } from './engine-halt.js';
import { checkExit, exitSizing } from './exit-check.js';

type Stage = 'guards' | 'signal' | 'sizing' | 'execution';

/**
 * The buy decision of one symbol on one bar. Its decision_id is made from the bar's open time (so a
 * replay names its decisions by the data's time, and `tradetrace trace` finds them by it), and all
 * of it runs inside `withDecision`, so every line, the router's included, carries that id:
 * DECISION_START, the indicators' update, the guards in their fixed order (the first refusal is
 * BUY_BLOCKED), the signal (BUY_TRIGGERED), sizing (BUY_CANDIDATE), BUY_ORDER and the router's
 * ORDER_CONTEXT ... ORDER_FILLED / ORDER_FAILED, then BUY_FILLED with a dashboard event; and exactly
 * one DECISION_END. Blocked and no-signal decisions stay synchronous: no promise, no intent.
 */
export class BuyDecision {
  private readonly slippage: Decimal;

  private readonly counted: CountedPositions;

  /** `ended`: symbols whose bars stopped while others go on; max_open_positions says so of their positions. */
  constructor(private readonly ctx: EngineContext, private readonly ended?: EndedFeeds) {
    this.slippage = Decimal.from(ctx.settings.slippageBps);
    this.counted = new CountedPositions(ctx.settings.slippageBps);
  }

  run(bar: Bar, rules: MarketRules, strategy: Strategy): DecisionOutcome | Promise<DecisionOutcome> {
    const decisionId = newDecisionId(bar.openTime);
    return withDecision(decisionId, () => this.decide(decisionId, bar, rules, strategy));
  }

  private decide(decisionId: string, bar: Bar, rules: MarketRules, strategy: Strategy): DecisionOutcome | Promise<DecisionOutcome> {
    const started = performance.now();
    const { recorder, settings } = this.ctx;
    const { symbol } = bar;
    recorder.emit('DECISION_START', { symbol, bar_ts: isoTime(bar.openTime), price: bar.close, strategy: strategy.name });
    let signal: Signal;
    let stage: Stage = 'signal';
    try {
      // Indicators see every bar, including those a guard refuses: they need the whole series.
      signal = strategy.onBar(bar);
      stage = 'guards';
      const guard = evaluateBuyGuards(this.snapshot(bar, rules, strategy), settings.limits, settings.guards);
      if (!guard.pass) {
        recorder.emit('BUY_BLOCKED', { symbol, guard: guard.guard, observed: guard.observed, threshold: guard.threshold, message: guard.message });
        return this.end(decisionId, bar, started, 'blocked', guard.guard);
      }
    } catch (error) {
      return this.error(decisionId, bar, started, stage, error);
    }
    if (signal.kind === 'none') return this.end(decisionId, bar, started, 'no_signal', signal.reason, signal.message);
    recorder.emit('BUY_TRIGGERED', { symbol, signal: signal.signal, price: signal.price, indicators: signal.indicators });
    return this.execute(decisionId, bar, rules, signal.price, started);
  }

  private snapshot(bar: Bar, rules: MarketRules, strategy: Strategy): GuardSnapshot {
    const { portfolio, settings } = this.ctx;
    const symbol = bar.symbol;
    const position = portfolio.position(symbol);
    const openPositions = this.countedPositions();
    const positionOpen = position !== undefined && !this.isCrumb(position, bar.close, rules);
    const unsettled = positionOpen ? undefined : portfolio.openOrder(symbol);
    return {
      symbol,
      now: bar.openTime + this.ctx.intervalMs,
      tradingEnabled: settings.tradingEnabled,
      openPositions,
      // A property every snapshot has (one shape on the per-bar path), filled only at the limit.
      openSymbols: openPositions >= settings.limits.maxOpenPositions ? this.openSymbols() : undefined,
      // A crumb (a remainder no exit could sell that never cost an order's worth: a partial IOC
      // fill) is not an open trade: the next signal buys again, the buy adds to it and the exit sells
      // them together. A trade that fell below the minimum stays one: a buy merged into it would
      // take its blended entry price, and the stop loss from that price would sell both at once.
      hasPosition: positionOpen || unsettled !== undefined,
      unsettledOrder: unsettled === undefined ? undefined : `${unsettled.side} ${unsettled.intentId} (${unsettled.status})`,
      ...(position && !this.counted.sellable(position, bar.close, rules) && !this.isCrumb(position, bar.close, rules)
        ? { positionNote: this.unsellableNote(position, bar, rules) }
        : {}),
      lastExitAt: portfolio.store.lastExit(symbol)?.exitedAt ?? null,
      freeQuote: portfolio.free(rules.quoteAsset),
      minNotional: rules.minNotional,
      buyFunds: () => this.buyFunds(bar, rules),
      dataAgeMs: this.ctx.dataAgeMs(symbol),
      realizedPnlToday: portfolio.realizedToday(bar.openTime, settings.quoteCurrency),
      atrPercent: strategy.atrPercent,
    };
  }

  private isCrumb(position: PositionRecord, price: Decimal, rules: MarketRules): boolean {
    return position.entryCost.lt(rules.minNotional) && !this.counted.sellable(position, price, rules);
  }

  private unsellableNote(position: PositionRecord, bar: Bar, rules: MarketRules): string {
    const check = checkExit(rules, exitSizing(position.qty, bar.close, this.ctx.settings.slippageBps), null);
    const why = check.code === 'send' ? 'it cannot be sold at this price' : check.message;
    const until = check.code === 'below_min_qty' ? 'it is sold or swept by hand' : `its value reaches the minimum ${rules.minNotional.toString()} ${rules.quoteAsset} or it is sold by hand`;
    return `${position.qty.toString()} ${rules.baseAsset} (${position.decisionId}) that no exit can sell (${why}); it stays, and blocks buying ${bar.symbol}, until ${until}`;
  }

  /**
   * The remainder (dust) a buy is about to add to, said inside the buy's decision before its order
   * (LOG): the position it opens is not a fresh one, and the remainder's own decision is named.
   */
  private dustNote(position: PositionRecord, rules: MarketRules, price: Decimal): void {
    const value = position.qty.mul(price);
    this.ctx.recorder.emit('LOG', {
      component: 'BuyDecision',
      message: `${rules.symbol} holds a remainder of ${position.qty.toString()} ${rules.baseAsset} (${position.decisionId}) worth ${value.toString()} ${rules.quoteAsset}, which no order can sell (minimum order value ${rules.minNotional.toString()} ${rules.quoteAsset}, minimum quantity ${rules.minQty.toString()}): it is not an open trade, so this buy goes ahead, adds to it, and the position's exit sells them together`,
      data: { symbol: rules.symbol, dust_qty: position.qty.toString(), dust_decision_id: position.decisionId, dust_value: value.toString(), min_notional: rules.minNotional.toString() },
    });
  }

  /** Said inside the remainder's own decision once the buy has filled into it: its trace ends there, not at an exit. */
  private mergedNote(dust: PositionRecord, rules: MarketRules): void {
    const now = this.ctx.portfolio.position(rules.symbol);
    if (now === undefined || now.id !== dust.id || now.decisionId === dust.decisionId) return;
    withDecision(dust.decisionId, () => this.ctx.recorder.emit('LOG', {
      component: 'BuyDecision',
      message: `the remainder of ${dust.qty.toString()} ${rules.baseAsset} of this decision, which no order could sell, was merged into the position bought by ${now.decisionId} (now ${now.qty.toString()} ${rules.baseAsset}); that decision's exit sells it`,
      data: { symbol: rules.symbol, dust_qty: dust.qty.toString(), merged_into: now.decisionId, position_qty: now.qty.toString() },
    }));
  }

  /**
   * Open positions for max_open_positions, and buys resting with no position yet (see
   * Portfolio.pendingEntries); positions no exit could sell are looked for only when the limit is reached.
   */
  private countedPositions(): number {
    const { portfolio, settings, markets } = this.ctx;
    const pending = portfolio.pendingEntries().length;
    const open = portfolio.openPositionCount() + pending;
    if (open < settings.limits.maxOpenPositions) return open;
    return this.counted.count(portfolio.positions(), (symbol) => portfolio.lastPrice(symbol), (symbol) => markets.get(symbol)) + pending;
  }

  /**
   * What max_open_positions names at the limit: each position's symbol, and each buy still resting;
   * of a symbol whose bars ended while others go on, that no exit runs on it (it holds its slot
   * until its data resumes, and every refusal said only its name).
   */
  private openSymbols(): string[] {
    const { portfolio } = this.ctx;
    const ended = (symbol: string, separator: string, what: 'position' | 'order'): string => {
      const note = this.ended?.note(symbol, what);
      return note === undefined ? '' : `${separator}${note}`;
    };
    return [
      ...portfolio.positions().map((p) => `${p.symbol}${ended(p.symbol, ': ', 'position')}`),
      ...portfolio.pendingEntries().map((symbol) => `${symbol}: a buy order not settled, no position yet${ended(symbol, '; ', 'order')}`),
    ];
  }

  /** What the next buy would size from, against the smallest order the market takes (see GuardSnapshot.buyFunds). */
  private buyFunds(bar: Bar, rules: MarketRules): BuyFunds {
    const { portfolio, settings } = this.ctx;
    const budget = settings.quoteBudget;
    const limitPx = limitPriceFor(rules, 'buy', bar.close, this.slippage);
    return { budget, spendable: Decimal.min(budget, portfolio.free(rules.quoteAsset)), limitPx, smallest: smallestBuy(rules, limitPx), rules };
  }

  private async execute(decisionId: string, bar: Bar, rules: MarketRules, price: Decimal, started: number): Promise<DecisionOutcome> {
    const { recorder, settings, router, portfolio, stats } = this.ctx;
    const { symbol } = bar;
    let stage: Stage = 'sizing';
    try {
      const free = portfolio.free(rules.quoteAsset);
      const budget = Decimal.min(settings.quoteBudget, free);
      const limitPx = limitPriceFor(rules, 'buy', price, this.slippage);
      const qty = qtyForBudget(rules, budget, limitPx);
      recorder.emit('BUY_CANDIDATE', { symbol, quote_budget: budget, qty, limit_px: limitPx, ref_px: price, notional: qty.mul(limitPx) });
      stage = 'execution';
      const dust = portfolio.position(symbol);
      if (dust) this.dustNote(dust, rules, price);
      const intentId = newIntentId();
      stats.intents++;
      const result = await withIntent(intentId, async () => {
        recorder.emit('BUY_ORDER', { symbol, side: 'buy', qty, limit_px: limitPx, quote_budget: budget, tif: settings.tif });
        const routed = await router.route({
          intentId, symbol, side: 'buy', size: { quoteBudget: budget }, referencePx: price, slippageBps: settings.slippageBps,
          tif: settings.tif, maxRetries: settings.maxRetries, retryBackoffMs: settings.retryBackoffMs,
        });
        this.afterOrder();
        return this.settle(rules, routed);
      });
      if (dust && result.outcome === 'filled') this.mergedNote(dust, rules);
      return this.end(decisionId, bar, started, result.outcome, result.detail);
    } catch (error) {
      return this.error(decisionId, bar, started, stage, error);
    }
  }

  /** Logs the fill (BUY_FILLED and its dashboard event) or counts the failure. Runs inside the intent. */
  private settle(rules: MarketRules, routed: OrderResult): { outcome: DecisionOutcome; detail: string } {
    const { recorder, stats, observer, bus, exchange } = this.ctx;
    if (!routed.ok) {
      stats.failure(routed.error.reason);
      observer.onOrderFailed?.(routed.error.reason);
      // The fill of an intent whose lines could not be written is booked (the store has it); trading stops.
      if (routed.error.reason === 'recorder_unavailable') throw new EngineHaltError('recorder_unavailable', routed.error.message);
      return { outcome: 'failed', detail: routed.error.reason };
    }
    const fill = routed.value;
    // This BUY_FILLED logs what the placement booked; left with the exchange, the order watcher
    // would take it at its next look-up and log the same fill a second time.
    exchange.takeFill(fill.clientOrderId);
    if (!fill.filledQty.isPositive() || fill.avgPx === null) return { outcome: 'failed', detail: 'resting' };
    const notional = fill.filledQty.mul(fill.avgPx);
    recorder.emit('BUY_FILLED', { symbol: fill.symbol, qty: fill.filledQty, avg_px: fill.avgPx, fee: fill.fee, fee_currency: fill.feeCurrency, notional, partial: fill.partial });
    stats.buys++;
    bus.emit('BUY_FILLED', `${fill.symbol} @ ${priceLabel(rules, fill.avgPx)}`, { qty: fill.filledQty.toString(), notional: notional.toString(), intent_id: fill.intentId });
    return { outcome: 'filled', detail: fill.partial ? 'partial' : 'filled' };
  }

  private afterOrder(): void {
    this.ctx.portfolio.refresh();
    this.ctx.observer.onPortfolioChanged?.();
  }

  private end(decisionId: string, bar: Bar, started: number, outcome: DecisionOutcome, detail?: string, reason?: string): DecisionOutcome {
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    const text = reason ?? detail;
    this.ctx.recorder.emit('DECISION_END', text === undefined ? { symbol: bar.symbol, outcome, duration_ms: durationMs } : { symbol: bar.symbol, outcome, duration_ms: durationMs, reason: text });
    this.ctx.stats.decision(decisionId, outcome, detail);
    this.ctx.observer.onDecision?.({ decisionId, symbol: bar.symbol, outcome, detail, at: bar.openTime });
    return outcome;
  }

  /** DECISION_ERROR then DECISION_END(error); errors that must stop trading go on up after both lines. */
  private error(decisionId: string, bar: Bar, started: number, stage: Stage, error: unknown): DecisionOutcome {
    const halt = haltFor(error);
    if (halt?.name === 'RecorderError') throw halt;
    const stack = error instanceof Error ? error.stack : undefined;
    const fields = { symbol: bar.symbol, stage, error_code: errorCode(error), message: errorMessage(error) };
    this.ctx.recorder.emit('DECISION_ERROR', stack === undefined ? fields : { ...fields, stack });
    this.end(decisionId, bar, started, 'error', fields.error_code, `${stage}: ${fields.message}`);
    if (halt) throw halt;
    return 'error';
  }
}
