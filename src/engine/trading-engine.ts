import type { MarketRules } from '../domain/market-rules.js';
import type { PaperExchange } from '../execution/paper/paper-exchange.js';
import type { Bar } from '../market-data/index.js';
import type { LoopHandle } from '../runtime/loop-handle.js';
import type { Strategy, StrategyFactory } from '../strategy/index.js';
import { BuyDecision } from './buy-decision.js';
import type { EngineContext } from './engine-context.js';
import { EndedFeeds } from './ended-feeds.js';
import { ExitHandler } from './exit-handler.js';
import { OrderWatcher } from './order-watcher.js';

export interface TradingEngineOptions {
  readonly ctx: EngineContext;
  readonly strategies: StrategyFactory;
  /**
   * The simulated exchange: told each decided bar's candle before the decision on it. Warm-up bars are
   * not told: they are market history the exchange already saw (or that predates its orders), and
   * resting orders must not be matched against them again.
   */
  readonly paper: Pick<PaperExchange, 'onCandle'>;
  /** Beaten once a bar is received, and once its decision is done. */
  readonly marketDataLoop?: LoopHandle;
  readonly decisionLoop?: LoopHandle;
  /**
   * Per symbol, bars that close at or before this time (ms UTC) only warm the indicators: a
   * restarted replay resumes each symbol after the last bar decided for it instead of deciding the
   * same bars twice. A symbol absent here decides every bar.
   */
  readonly resumeAfter?: ReadonlyMap<string, number>;
}

/**
 * Per bar, in order: the paper exchange sees the candle (not on a warm-up bar), the last price is
 * marked, unsettled orders are looked up, exits are checked, then the buy decision runs. The common bar (no order in play,
 * no exit firing, a guard refusing) stays synchronous: no promise is made for it.
 */
export class TradingEngine {
  private readonly strategies = new Map<string, Strategy>();
  private readonly buy: BuyDecision;
  private readonly exits: ExitHandler;
  private readonly watcher: OrderWatcher;
  private readonly resumeAfter: ReadonlyMap<string, number>;
  /** Symbols whose bars ended while they hold a position or an order: the buy guard and the summary name them. */
  readonly endedFeeds: EndedFeeds;
  /** Close time of the bar being handled: the time fills are booked at. */
  barClose = Number.NaN;
  warmedBars = 0;

  constructor(private readonly options: TradingEngineOptions) {
    this.endedFeeds = new EndedFeeds(options.ctx);
    this.buy = new BuyDecision(options.ctx, this.endedFeeds);
    this.exits = new ExitHandler(options.ctx);
    this.watcher = new OrderWatcher(options.ctx);
    this.resumeAfter = options.resumeAfter ?? new Map<string, number>();
  }

  /** The feed's bar handler. */
  readonly onBar = (bar: Bar): void | Promise<void> => {
    this.options.marketDataLoop?.beat();
    const { ctx } = this.options;
    const rules = ctx.markets.get(bar.symbol);
    if (!rules) throw new RangeError(`bar of ${bar.symbol}: no market rules for it; the session trades ${[...ctx.markets.keys()].join(', ')}`);
    this.barClose = bar.openTime + ctx.intervalMs;
    const warming = this.barClose <= (this.resumeAfter.get(bar.symbol) ?? Number.NEGATIVE_INFINITY);
    if (!warming) this.options.paper.onCandle(bar.symbol, bar);
    ctx.portfolio.markPrice(bar.symbol, bar.close, bar.openTime);
    // Not on a warm-up bar: that is history an earlier session traded, judged then against the
    // positions it held; judged now, a hole in it was told as the bars of today's position ending.
    if (!warming) this.endedFeeds.onBar(bar);
    ctx.stats.bars++;
    ctx.observer.onBar?.(bar.symbol);
    const strategy = this.strategyOf(bar.symbol);
    if (warming) {
      strategy.onBar(bar);
      this.warmedBars++;
      this.options.decisionLoop?.beat();
      return;
    }
    if (ctx.portfolio.hasUnsettledOrders) return this.withOrders(bar, rules, strategy);
    const exiting = this.exits.check(bar, rules);
    if (exiting) return exiting.then(() => this.decide(bar, rules, strategy));
    return this.decide(bar, rules, strategy);
  };

  private async withOrders(bar: Bar, rules: MarketRules, strategy: Strategy): Promise<void> {
    await this.watcher.poll();
    await this.exits.check(bar, rules);
    await this.decide(bar, rules, strategy);
  }

  private decide(bar: Bar, rules: MarketRules, strategy: Strategy): void | Promise<void> {
    const outcome = this.buy.run(bar, rules, strategy);
    if (outcome instanceof Promise) return outcome.then(() => this.options.decisionLoop?.beat());
    this.options.decisionLoop?.beat();
  }

  private strategyOf(symbol: string): Strategy {
    let strategy = this.strategies.get(symbol);
    if (!strategy) {
      strategy = this.options.strategies(symbol);
      this.strategies.set(symbol, strategy);
    }
    return strategy;
  }

  /** Bars the strategy needs before it can signal (the feed replays that many at full speed first). */
  warmupBars(symbol: string): number {
    return this.strategyOf(symbol).warmupBars;
  }
}
