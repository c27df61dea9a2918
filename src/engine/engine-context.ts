import type { MarketRules } from '../domain/market-rules.js';
import type { OrderRouter } from '../execution/order-router.js';
import type { Recorder } from '../recorder/recorder.js';
import type { DashboardBus } from '../runtime/dashboard-bus.js';
import type { EngineSettings } from './engine-settings.js';
import type { EngineObserver, EngineStats } from './engine-stats.js';
import type { Portfolio } from './portfolio.js';
import type { StoreSyncedExchange } from './store-synced-exchange.js';

/** What the buy decision, the exit handler and the order watcher share. */
export interface EngineContext {
  readonly recorder: Recorder;
  readonly router: OrderRouter;
  readonly exchange: StoreSyncedExchange;
  readonly portfolio: Portfolio;
  readonly bus: DashboardBus;
  readonly settings: EngineSettings;
  readonly stats: EngineStats;
  readonly observer: EngineObserver;
  readonly markets: ReadonlyMap<string, MarketRules>;
  /** Bar interval in ms: a bar's close is its open time plus this. */
  readonly intervalMs: number;
  /** Age of a symbol's latest bar on the feed clock (null before the first), for the stale-data guard. */
  readonly dataAgeMs: (symbol: string) => number | null;
}

const USD_LIKE = new Set(['USD', 'USDT', 'USDC', 'BUSD', 'DAI', 'TUSD']);

/** `BTC/USDT @ $45000.00` for dollar markets; `UNITTEST/BTC @ 0.00160000 BTC` for the rest. */
export function priceLabel(rules: MarketRules, price: { toFixed(places: number): string; toNumber(): number }): string {
  if (USD_LIKE.has(rules.quoteAsset)) return `$${price.toFixed(price.toNumber() >= 1 ? 2 : 6)}`;
  return `${price.toFixed(price.toNumber() >= 1 ? 4 : 8)} ${rules.quoteAsset}`;
}
