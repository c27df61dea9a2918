import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { Decimal } from '../domain/decimal.js';
import { splitSymbol } from '../domain/market-symbol.js';
import { seededRandom } from '../domain/seeded-random.js';
import { OrderRouter } from '../execution/order-router.js';
import { PaperExchange } from '../execution/paper/paper-exchange.js';
import { isCandleFileError, isDataChangedError, StalenessTracker, timeframeMs, type FeedEndReason, type MarketFeed, type ReplaySpeed } from '../market-data/index.js';
import type { SessionEndReason } from '../recorder/events/audit-events.js';
import { logRotationOf } from '../recorder/log-rotation.js';
import type { Recorder } from '../recorder/recorder.js';
import { sessionFailure, type SessionFailure } from '../recorder/sessions/session-failure.js';
import { DashboardBus } from '../runtime/dashboard-bus.js';
import { setLongTimeout, type LongTimeout } from '../runtime/long-timeout.js';
import { SHUTDOWN_SIGNALS, ShutdownCoordinator, type ShutdownReason, type ShutdownSignal } from '../runtime/shutdown-coordinator.js';
import { DustSweeper } from '../store/dust-sweeper.js';
import type { ReconcileReport } from '../store/reconcile.js';
import { recoverState } from '../store/recover-state.js';
import { refuseLostAccount, refuseLostBooks } from './lost-books.js';
import { emitStartWarning, warnAtStart } from './startup-warnings.js';
import { StateStore } from '../store/state-store.js';
import { emaCrossRsiFactory } from '../strategy/index.js';
import type { EngineContext } from './engine-context.js';
import { engineSettings } from './engine-settings.js';
import { EngineStats, type EngineObserver } from './engine-stats.js';
import { faultOptions, openFeed, paperMarkets, replaySymbols, scaledSleep, startingBalances, type FeedChoice } from './paper-setup.js';
import { Portfolio } from './portfolio.js';
import { missingCursorWarning } from './missing-cursor-warning.js';
import { ReplayCursor } from './replay-cursor.js';
import { planResume } from './resume-plan.js';
import { warnUnreadableLog } from './rotated-log-read.js';
import { StoreSyncedExchange } from './store-synced-exchange.js';
import { TradingEngine } from './trading-engine.js';
import { findCutOrders } from './unsent-intents.js';

export interface PaperSessionOptions {
  readonly config: Config;
  readonly recorder: Recorder;
  readonly dataDir: string;
  readonly logsDir: string;
  readonly feed: FeedChoice;
  readonly speed: ReplaySpeed;
  /**
   * Ends the session (duration_reached) after this much wall time, counted from the feed's start
   * (FEED_START), not from run(): the watchdog thread and the other components take about a second
   * to start, which would otherwise be cut from the trading time.
   */
  readonly durationMs?: number;
  readonly observer?: EngineObserver;
  /** Install handlers for SHUTDOWN_SIGNALS: SIGINT, SIGTERM, SIGHUP, SIGQUIT (default true). */
  readonly signals?: boolean;
  /** Start the heartbeat watchdog thread (default true). */
  readonly watchdog?: boolean;
}

export interface PaperRunResult {
  readonly reason: SessionEndReason;
  readonly exitCode: number;
  /** Why the session failed, when it did. */
  readonly error?: SessionFailure;
}

/** The paper exchange's own account file, beside state.sqlite in the data directory. */
export const PAPER_EXCHANGE_FILE = 'paper-exchange.sqlite';

const REASONS: Record<ShutdownReason, SessionEndReason> = {
  SIGINT: 'signal', SIGTERM: 'signal', SIGHUP: 'signal', SIGQUIT: 'signal', data_end: 'data_end', duration_reached: 'duration_reached', fatal: 'error',
};

/**
 * One paper-trading session, wired: state store (recovered and reconciled before any trade), paper
 * exchange over the feed's candles, order router, engine, dust sweeper and the shutdown coordinator
 * with its loops. `run()` trades until the data ends, the duration is reached, a signal comes or
 * trading must halt, then stops everything in order and says why.
 */
export class PaperSession {
  private stopRequested: ShutdownReason | undefined;
  private failure: SessionFailure | undefined;
  /**
   * The failure was bad input (a damaged candle file, or one that changed under this data dir):
   * the operator's to fix, exit code 2 as at startup.
   */
  private badInput = false;
  private feedDone: Promise<FeedEndReason | 'failed'> | undefined;
  private durationTimer: LongTimeout | undefined;

  private constructor(
    readonly options: PaperSessionOptions,
    readonly coordinator: ShutdownCoordinator,
    readonly bus: DashboardBus,
    readonly store: StateStore,
    readonly portfolio: Portfolio,
    readonly engine: TradingEngine,
    readonly feed: MarketFeed,
    readonly sweeper: DustSweeper,
    readonly reconcile: ReconcileReport,
    readonly stats: EngineStats,
    private readonly exitCode: Promise<number>,
    /** The store's realized PnL per currency before reconciliation: what reconciliation books is this session's. */
    private readonly realizedAtStart: ReadonlyMap<string, Decimal>,
  ) {}

  static async open(options: PaperSessionOptions): Promise<PaperSession> {
    const { config, recorder } = options;
    const symbols = options.feed.kind === 'replay' ? await replaySymbols(options.feed.files, options.feed.symbols) : [...options.feed.symbols];
    const specs = await paperMarkets(config, options.feed, symbols);
    const rules = specs.map((s) => s.rules);
    const sleep = scaledSleep(options.speed);
    refuseLostBooks(options.dataDir, PAPER_EXCHANGE_FILE);
    refuseLostAccount(options.dataDir, PAPER_EXCHANGE_FILE);
    const store = StateStore.open({ dataDir: options.dataDir });
    let paper: PaperExchange | undefined;
    try {
      const portfolio = new Portfolio(store);
      const snapshot = store.snapshot();
      const tradedSymbols = rules.map((r) => r.symbol);
      // One bar length end to end: the feed's grid, pacing, staleness, the cursor and the resume.
      const intervalMs = timeframeMs(config.market_data.timeframe);
      const cursor = new ReplayCursor(options.dataDir, recorder.sessionId, tradedSymbols, undefined, intervalMs);
      cursor.read();
      // Each symbol resumes after its own last decided bar: a kill between two symbols of one bar
      // time leaves them a bar apart, and one time for all would skip or repeat that bar for one.
      const plan = await planResume({ snapshot, cursor, logsDir: options.logsDir, tradedSymbols, intervalMs, onUnreadable: warnUnreadableLog(recorder, 'the last decided bars it holds are not known; the replay cursor\'s stand') });
      const resume = plan.clock;
      const noCursor = missingCursorWarning(plan, options.dataDir, intervalMs);
      if (noCursor !== undefined) emitStartWarning(recorder, noCursor);
      // The cursor starts from these points, refined as they are, under this session: the bars it
      // only warms up on must not write back where the last save left it, and the bars it decides
      // in its first second must be found in its own log after a kill.
      for (const [symbol, point] of plan.known) cursor.carry(symbol, point.close, point.price, point.decidedBy);
      for (const [symbol, close] of plan.traded) cursor.note(symbol, close, undefined);
      cursor.claim();
      portfolio.seedBalances(startingBalances(config, rules), resume ?? Date.now());
      let barClose = resume ?? Date.now();
      // The simulated account lives in the data directory too, so a restarted session reconciles its
      // open orders against the same account (filled while down -> booked; still open -> kept).
      paper = new PaperExchange({
        markets: specs, balances: Object.fromEntries(store.balances()), faults: faultOptions(config), sleep, now: () => barClose,
        state: { path: join(options.dataDir, PAPER_EXCHANGE_FILE) },
      });
      const exchange = new StoreSyncedExchange(paper, store, () => barClose);
      const cut = await findCutOrders(
        options.logsDir, recorder.sessionId, (clientOrderId) => store.order(clientOrderId) !== undefined,
        warnUnreadableLog(recorder, 'an order the last session left unsent there, if any, is not closed in the log'),
      );
      // Taken before reconciliation: a fill it finds was realized, and learned of, in this session
      // (its SELL_FILLED is written here); taken after, that PnL fell in no session's.
      const realizedAtStart = store.realizedByCurrency();
      const reconcile = await recoverState({ store, exchange: paper, recorder, sleep, now: () => barClose, retryBackoffMs: config.execution.retry_backoff_ms, unsent: cut.intents, cutExits: cut.exits, quoteCurrency: config.trading.quote_currency });
      portfolio.refresh();
      const quoteBalance = store.balance(config.trading.quote_currency);
      const capitalAtStart = store.positions().reduce((sum, p) => (splitSymbol(p.symbol)?.quote === config.trading.quote_currency ? sum.add(p.entryCost) : sum), quoteBalance);
      warnAtStart(recorder, { positions: store.positions(), quoteBalance, quoteCurrency: config.trading.quote_currency, tradedSymbols, maxOpenPositions: config.trading.max_open_positions });

      let resolveExit: (code: number) => void = () => {};
      const exitCode = new Promise<number>((resolve) => (resolveExit = resolve));
      const coordinator = new ShutdownCoordinator({
        recorder, logsDir: options.logsDir, logRotation: logRotationOf(config.recorder), heartbeatIntervalMs: config.runtime.heartbeat_interval, stopTimeoutMs: config.runtime.component_stop_timeout,
        shutdownTimeoutMs: config.runtime.shutdown_timeout,
        stallFactor: config.runtime.stall_multiple, watchdog: options.watchdog ?? true, exit: resolveExit,
      });
      const paced = options.speed === 'max' ? 1000 : Math.max(1000, intervalMs / options.speed);
      const marketDataLoop = coordinator.registerLoop({ name: 'MarketDataLoop', daemon: false, periodMs: paced });
      const decisionLoop = coordinator.registerLoop({ name: 'DecisionLoop', daemon: false, periodMs: paced });
      const staleness = new StalenessTracker({ thresholdMs: config.market_data.stale_after, intervalMs, recorder });
      const strategies = emaCrossRsiFactory({
        fastPeriod: config.strategy.ema_fast, slowPeriod: config.strategy.ema_slow, rsiPeriod: config.strategy.rsi_period,
        rsiMax: config.strategy.rsi_max, atrPeriod: config.strategy.atr_period,
      });
      const bus = new DashboardBus({ recorder });
      const stats = new EngineStats();
      // The session's sells are its SELL_FILLED lines, those reconciliation wrote at its start too.
      stats.sells += reconcile.exitsFilled;
      const feedRef: { current?: MarketFeed } = {};
      const ctx: EngineContext = {
        recorder, exchange, portfolio, bus, stats, markets: new Map(rules.map((r) => [r.symbol, r])), intervalMs,
        settings: engineSettings(config, capitalAtStart), observer: options.observer ?? {},
        router: new OrderRouter({ exchange, recorder, markets: rules, random: seededRandom(config.paper_exchange.seed), sleep }),
        dataAgeMs: (symbol) => (feedRef.current ? staleness.ageMs(symbol, feedRef.current.now()) : null),
      };
      const engine = new TradingEngine({ ctx, strategies, paper, marketDataLoop, decisionLoop, resumeAfter: plan.traded });
      const track = engine.onBar;
      // The cursor moves once the bar's decision is done: saved earlier, a kill in between (an exit
      // sell awaiting the exchange) would make the restart skip a bar no session decided.
      const onBar = (bar: Parameters<typeof track>[0]) => {
        const close = bar.openTime + intervalMs;
        barClose = close;
        const handled = track(bar);
        if (handled instanceof Promise) return handled.then(() => cursor.advance(bar.symbol, close, bar.close));
        cursor.advance(bar.symbol, close, bar.close);
        return undefined;
      };
      // While the feed waits for a bar's time (a hole in the data at speed N lasts hole/N), both
      // loops are idle, not hung: the feed beats them from its wait's timer, never while a bar is handled.
      const whileWaiting = (): void => {
        marketDataLoop.beat();
        decisionLoop.beat();
      };
      const feed = await openFeed(options.feed, symbols, { recorder, speed: options.speed, staleness, warmupBars: engine.warmupBars(symbols[0] ?? ''), seed: config.paper_exchange.seed, intervalMs, whileWaiting, tickSizes: new Map(rules.map((r) => [r.symbol, r.tickSize])), ...(plan.clock === undefined ? {} : { resume: plan }) });
      feedRef.current = feed;
      const sweeperLoop = coordinator.registerLoop({ name: DustSweeper.LOOP_NAME, daemon: true, periodMs: config.runtime.heartbeat_interval });
      const sweeper = new DustSweeper({
        recorder, intervalMs: config.runtime.heartbeat_interval, beat: () => sweeperLoop.beat(),
        markets: () => rules, balances: () => store.balances(), price: (symbol) => portfolio.lastPrice(symbol),
        heldQty: (symbol) => portfolio.position(symbol)?.qty ?? Decimal.ZERO,
      });
      const session = new PaperSession(options, coordinator, bus, store, portfolio, engine, feed, sweeper, reconcile, stats, exitCode, realizedAtStart);
      session.wire(cursor, paper, onBar, marketDataLoop, decisionLoop);
      return session;
    } catch (error) {
      paper?.close();
      store.close();
      throw error;
    }
  }

  private wire(cursor: ReplayCursor, paper: PaperExchange, onBar: (bar: Parameters<TradingEngine['onBar']>[0]) => void | Promise<void>, ...loops: { end(): void }[]): void {
    const { coordinator, store, feed, sweeper } = this;
    coordinator.registerComponent({ name: 'state_store', order: 0, stop: () => store.close() });
    coordinator.registerComponent({ name: 'paper_exchange', order: 5, stop: () => paper.close() });
    coordinator.registerComponent({
      name: 'portfolio', order: 10,
      stop: () => {
        try {
          store.persistPeaks();
          // A state file deleted since the last booking is noticed (and copied out) now, not lost at close.
          store.assertFileKept("the session's last state");
        } finally {
          cursor.save();
        }
      },
    });
    coordinator.registerComponent({ name: 'dust_sweeper', order: 15, start: () => sweeper.start(), stop: () => sweeper.stop() });
    coordinator.registerComponent({
      name: 'engine', order: 20,
      stop: async () => {
        await this.feedDone;
        for (const loop of loops) loop.end();
      },
    });
    coordinator.registerComponent({
      name: 'market_data', order: 30,
      start: () => {
        // feed.start writes FEED_START before its first await, so the duration counts from that line.
        const started = feed.start(onBar);
        this.startDurationTimer();
        this.feedDone = started.then(
          (reason) => {
            if (reason === 'data_end') void this.stop('data_end');
            return reason;
          },
          (error: unknown) => {
            this.failure = sessionFailure(error);
            this.badInput = isCandleFileError(error) || isDataChangedError(error);
            void this.stop('fatal');
            return 'failed' as const;
          },
        );
      },
      stop: async () => {
        feed.stop();
        await this.feedDone;
      },
    });
  }

  /**
   * Starts every component (the feed last) and resolves once the session has shut down. `stopFirst`:
   * a signal that came during startup, before these handlers: the session stops before it starts.
   */
  async run(stopFirst?: ShutdownSignal): Promise<PaperRunResult> {
    const uninstall = this.options.signals === false ? () => {} : this.installSignals();
    if (stopFirst !== undefined) {
      void this.stop(stopFirst);
    } else {
      try {
        await this.coordinator.start();
      } catch (error) {
        this.failure = sessionFailure(error);
        void this.stop('fatal');
      }
    }
    const code = await this.exitCode;
    this.durationTimer?.clear();
    uninstall();
    const stopped = REASONS[this.stopRequested ?? 'fatal'];
    // A candle file the preflight refused (damaged, or changed under this data dir) before the
    // first bar reached the engine: nothing was decided under this config, so it is not the
    // baseline the next session's drift check uses.
    // Other early failures stay errors: recovery or the dust sweeper may already have acted.
    const reason = stopped === 'error' && this.stats.bars === 0 && this.badInput ? 'refused' : stopped;
    const failed = reason === 'error' || reason === 'refused' ? Math.max(this.badInput ? 2 : 1, code) : code;
    // A stop forced by a second signal says so in SESSION_END, or health reads exit 130 as an unexplained error.
    const error = this.failure ?? this.coordinator.forcedExit;
    return { reason, exitCode: failed, ...(error === undefined ? {} : { error }) };
  }

  private startDurationTimer(): void {
    const { durationMs } = this.options;
    if (durationMs === undefined || this.durationTimer !== undefined) return;
    this.durationTimer = setLongTimeout(() => void this.stop('duration_reached'), durationMs);
  }

  stop(reason: ShutdownReason): Promise<number> {
    this.stopRequested ??= reason;
    return this.coordinator.requestShutdown(reason);
  }

  private installSignals(): () => void {
    const handlers = SHUTDOWN_SIGNALS.map((signal) => {
      const handler = (): void => {
        this.stopRequested ??= signal;
      };
      process.prependListener(signal, handler);
      return () => process.off(signal, handler);
    });
    const uninstall = this.coordinator.installSignalHandlers();
    return () => {
      uninstall();
      handlers.forEach((off) => off());
    };
  }

  /**
   * Realized PnL in `currency` (default: the session's quote currency) booked during this session
   * (the store keeps each currency's total across sessions), fills reconciliation booked at its
   * start included (reconcile.realizedPnl of it).
   */
  sessionRealizedPnl(currency = this.options.config.trading.quote_currency): Decimal {
    return this.store.realizedPnl(currency).sub(this.realizedAtStart.get(currency) ?? Decimal.ZERO);
  }
}
