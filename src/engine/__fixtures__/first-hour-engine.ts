// Test harness: the whole engine (router, store, paper exchange, strategy, exits) on the first hour
// of the real BTC-PERP month, where the strategy buys 0.001 BTC near 46,500 USD, then on bars the
// test scripts; the exchange can be wrapped to misbehave at the network edge.
import { join } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { Decimal } from '../../domain/decimal.js';
import type { ExchangeResult } from '../../execution/exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../../execution/exchange.js';
import type { MarketRules } from '../../domain/market-rules.js';
import { readCsvCandles } from '../../execution/testing/candle-files.js';
import type { Bar } from '../../market-data/index.js';
import { readLogs, type ReadBack } from '../../recorder/__fixtures__/read-logs.js';
import type { StateStore } from '../../store/state-store.js';
import type { EngineStats } from '../engine-stats.js';
import { paperMarketFor } from '../paper-markets.js';
import { engineRig } from './engine-rig.js';

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
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const { config } = loaded.value;
  const spec = paperMarketFor('BTC/USD', { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps });
  const real: Bar[] = readCsvCandles(options.candles, 60).map((c) => ({ ...c, symbol: 'BTC/USD' }));
  const after = options.after(real.at(-1)?.openTime ?? 0);
  const rig = engineRig({ config, spec, dataDir, sessionId: 'session_20220101_000000', firstOpen: real[0]?.openTime ?? 0, ...(options.venue ? { venue: options.venue } : {}) });
  await rig.feed([...real, ...after], (i) => options.beforeBar?.(i - real.length));
  const logs = await readLogs(rig.logsDir);
  return { logs, stats: rig.stats, store: rig.store, after, close: () => rig.close() };
}
