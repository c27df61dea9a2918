// Test harness: the engine wired as a paper session wires it (state store, portfolio, paper
// exchange behind the store, router, strategy, exits), on a data dir of the test's, fed bars by the
// test at their close. The first-hour harness and the engine tests on real altcoin candles use it.
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import type { Candle } from '../../domain/candle.js';
import { seededRandom } from '../../domain/seeded-random.js';
import type { Exchange } from '../../execution/exchange.js';
import { OrderRouter } from '../../execution/order-router.js';
import type { FaultOptions } from '../../execution/paper/fault-injector.js';
import { PaperExchange } from '../../execution/paper/paper-exchange.js';
import type { Bar } from '../../market-data/index.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { DashboardBus } from '../../runtime/dashboard-bus.js';
import { StateStore } from '../../store/state-store.js';
import { emaCrossRsiFactory } from '../../strategy/index.js';
import type { EngineContext } from '../engine-context.js';
import { engineSettings } from '../engine-settings.js';
import { EngineStats } from '../engine-stats.js';
import type { PaperMarketSpec } from '../paper-markets.js';
import { startingBalances } from '../paper-setup.js';
import { Portfolio } from '../portfolio.js';
import { StoreSyncedExchange } from '../store-synced-exchange.js';
import { TradingEngine } from '../trading-engine.js';

const MINUTE = 60_000;

export interface EngineRigOptions {
  readonly config: Config;
  readonly spec: PaperMarketSpec;
  readonly dataDir: string;
  readonly sessionId: string;
  /** Open time of the first bar: the account is funded at its close. */
  readonly firstOpen: number;
  /** Puts the paper exchange behind what the test needs (a stricter venue, a lossy network). */
  readonly venue?: (paper: Exchange) => Exchange;
  readonly faults?: FaultOptions;
  readonly resumeAfter?: ReadonlyMap<string, number>;
  /** Sees each candle the engine tells the paper exchange, before the exchange does. */
  readonly onCandle?: (symbol: string, candle: Candle) => void;
}

export interface EngineRig {
  readonly engine: TradingEngine;
  readonly store: StateStore;
  readonly paper: PaperExchange;
  /** The exchange as the engine sees it (the store in front of the venue). */
  readonly exchange: StoreSyncedExchange;
  readonly recorder: Recorder;
  readonly stats: EngineStats;
  readonly logsDir: string;
  /** Feeds `bars` in order, each at its close; `beforeBar` is called with its index first. */
  feed(bars: readonly Bar[], beforeBar?: (index: number) => void): Promise<void>;
  /** Closes the paper exchange, the store and the recorder. */
  close(): void;
}

export function engineRig(options: EngineRigOptions): EngineRig {
  const { config, spec } = options;
  const logsDir = join(options.dataDir, 'logs');
  const recorder = new Recorder({ sessionId: options.sessionId, sink: new FileSink(logsDir) });
  const store = StateStore.open({ dataDir: options.dataDir });
  let barClose = options.firstOpen + MINUTE;
  const portfolio = new Portfolio(store);
  portfolio.seedBalances(startingBalances(config, [spec.rules]), barClose);
  const paper = new PaperExchange({ markets: [spec], balances: Object.fromEntries(store.balances()), now: () => barClose, ...(options.faults ? { faults: options.faults } : {}) });
  const exchange = new StoreSyncedExchange(options.venue ? options.venue(paper) : paper, store, () => barClose);
  const stats = new EngineStats();
  const ctx: EngineContext = {
    recorder, exchange, portfolio, stats, bus: new DashboardBus({ recorder }), settings: engineSettings(config), observer: {},
    markets: new Map([[spec.rules.symbol, spec.rules]]), intervalMs: MINUTE, dataAgeMs: () => 0,
    router: new OrderRouter({ exchange, recorder, markets: [spec.rules], random: seededRandom(1), sleep: () => Promise.resolve() }),
  };
  const s = config.strategy;
  const strategies = emaCrossRsiFactory({ fastPeriod: s.ema_fast, slowPeriod: s.ema_slow, rsiPeriod: s.rsi_period, rsiMax: s.rsi_max, atrPeriod: s.atr_period });
  const { onCandle } = options;
  const told = onCandle ? { onCandle: (symbol: string, candle: Candle) => { onCandle(symbol, candle); paper.onCandle(symbol, candle); } } : paper;
  const engine = new TradingEngine({ ctx, strategies, paper: told, ...(options.resumeAfter ? { resumeAfter: options.resumeAfter } : {}) });
  const close = (): void => {
    paper.close();
    store.close();
    recorder.close();
  };
  return {
    engine, store, paper, exchange, recorder, stats, logsDir, close,
    feed: async (bars, beforeBar) => {
      for (const [i, bar] of bars.entries()) {
        barClose = bar.openTime + MINUTE;
        beforeBar?.(i);
        await engine.onBar(bar);
      }
    },
  };
}
