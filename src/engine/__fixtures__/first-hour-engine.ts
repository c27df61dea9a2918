// Test harness: the whole engine (router, store, paper exchange, strategy, exits) on the first hour
// of the real BTC-PERP month, where the strategy buys 0.001 BTC near 46,500 USD, then on bars the
// test scripts; the exchange can be wrapped to misbehave at the network edge.
import { join } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { Decimal } from '../../domain/decimal.js';
import { seededRandom } from '../../domain/seeded-random.js';
import type { ExchangeResult } from '../../execution/exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../../execution/exchange.js';
import type { MarketRules } from '../../domain/market-rules.js';
import { OrderRouter } from '../../execution/order-router.js';
import { PaperExchange } from '../../execution/paper/paper-exchange.js';
import { readCsvCandles } from '../../execution/testing/candle-files.js';
import type { Bar } from '../../market-data/index.js';
import { readLogs, type ReadBack } from '../../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { DashboardBus } from '../../runtime/dashboard-bus.js';
import { StateStore } from '../../store/state-store.js';
import { emaCrossRsiFactory } from '../../strategy/index.js';
import type { EngineContext } from '../engine-context.js';
import { engineSettings } from '../engine-settings.js';
import { EngineStats } from '../engine-stats.js';
import { paperMarketFor } from '../paper-markets.js';
import { startingBalances } from '../paper-setup.js';
import { Portfolio } from '../portfolio.js';
import { StoreSyncedExchange } from '../store-synced-exchange.js';
import { TradingEngine } from '../trading-engine.js';

/** A venue in front of the paper exchange that passes every call through; a test overrides the calls it makes misbehave. */
export class PassThroughVenue implements Exchange {
  readonly name: string = 'venue-paper';
  constructor(protected readonly inner: Exchange) {}
  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return this.inner.markets();
  }
  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return this.inner.balances();
  }
  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    return this.inner.placeOrder(request);
  }
  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.inner.fetchOrderByClientId(symbol, clientOrderId);
  }
  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.inner.cancelOrder(symbol, clientOrderId);
  }
}

export interface FirstHourRun {
  readonly logs: ReadBack;
  readonly stats: EngineStats;
  readonly store: StateStore;
  /** The scripted bars that followed the real hour. */
  readonly after: readonly Bar[];
  /** Closes the store, the paper exchange and the recorder. */
  close(): void;
}

/** `price` on every one-minute bar for `count` bars after `from`, with volume to fill in. */
export function flatBars(from: number, price: string, count: number): Bar[] {
  const px = Decimal.parse(price);
  return Array.from({ length: count }, (_, i) => ({ symbol: 'BTC/USD', openTime: from + (i + 1) * 60_000, open: px, high: px, low: px, close: px, volume: Decimal.parse('1000') }));
}

export async function runFirstHour(options: {
  /** An empty directory for the data dir (the test's temp dir). */
  readonly dir: string;
  /** The real BTC-PERP month (test/support/shared-data.ts BTC_PERP_CSV). */
  readonly candles: string;
  /** The bars after the real hour, given the open time of its last bar. */
  readonly after: (lastOpen: number) => Bar[];
  /** Puts the paper exchange behind what the test needs (a stricter venue, a lossy network). */
  readonly venue?: (paper: Exchange) => Exchange;
  /** Called before each bar is fed, with its index among the `after` bars (-1 in the real hour). */
  readonly beforeBar?: (afterIndex: number) => void;
}): Promise<FirstHourRun> {
  const dataDir = join(options.dir, 'data');
  const logsDir = join(dataDir, 'logs');
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const { config } = loaded.value;
  const spec = paperMarketFor('BTC/USD', { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps });
  const real: Bar[] = readCsvCandles(options.candles, 60).map((c) => ({ ...c, symbol: 'BTC/USD' }));
  const after = options.after(real.at(-1)?.openTime ?? 0);
  const recorder = new Recorder({ sessionId: 'session_20220101_000000', sink: new FileSink(logsDir) });
  const store = StateStore.open({ dataDir });
  const portfolio = new Portfolio(store);
  let barClose = (real[0]?.openTime ?? 0) + 60_000;
  portfolio.seedBalances(startingBalances(config, [spec.rules]), barClose);
  const paper = new PaperExchange({ markets: [spec], balances: Object.fromEntries(store.balances()), now: () => barClose });
  const exchange = new StoreSyncedExchange(options.venue ? options.venue(paper) : paper, store, () => barClose);
  const stats = new EngineStats();
  const ctx: EngineContext = {
    recorder, exchange, portfolio, stats, bus: new DashboardBus({ recorder }), settings: engineSettings(config), observer: {},
    markets: new Map([[spec.rules.symbol, spec.rules]]), intervalMs: 60_000, dataAgeMs: () => 0,
    router: new OrderRouter({ exchange, recorder, markets: [spec.rules], random: seededRandom(1), sleep: () => Promise.resolve() }),
  };
  const s = config.strategy;
  const strategies = emaCrossRsiFactory({ fastPeriod: s.ema_fast, slowPeriod: s.ema_slow, rsiPeriod: s.rsi_period, rsiMax: s.rsi_max, atrPeriod: s.atr_period });
  const engine = new TradingEngine({ ctx, strategies, paper });
  for (const [i, bar] of [...real, ...after].entries()) {
    barClose = bar.openTime + 60_000;
    options.beforeBar?.(i - real.length);
    await engine.onBar(bar);
  }
  const logs = await readLogs(logsDir);
  return {
    logs, stats, store, after,
    close: () => {
      paper.close();
      store.close();
      recorder.close();
    },
  };
}
