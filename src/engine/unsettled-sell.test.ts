import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import { seededRandom } from '../domain/seeded-random.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import { OrderRouter } from '../execution/order-router.js';
import { PaperExchange } from '../execution/paper/paper-exchange.js';
import { readCsvCandles } from '../execution/testing/candle-files.js';
import type { Bar } from '../market-data/index.js';
import { readLogs, type ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { DashboardBus } from '../runtime/dashboard-bus.js';
import { StateStore } from '../store/state-store.js';
import { emaCrossRsiFactory } from '../strategy/index.js';
import type { EngineContext } from './engine-context.js';
import { engineSettings } from './engine-settings.js';
import { EngineStats } from './engine-stats.js';
import { paperMarketFor } from './paper-markets.js';
import { startingBalances } from './paper-setup.js';
import { Portfolio } from './portfolio.js';
import { StoreSyncedExchange } from './store-synced-exchange.js';
import { TradingEngine } from './trading-engine.js';

const available = sharedDataAvailable();
const d = (text: string) => Decimal.parse(text);
const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];

/**
 * The network between the bot and the exchange on a bad day, for the first sell only: the sell
 * reaches the exchange and fills, but its answer times out; the router's four lookups fail on the
 * network; the watcher's first lookup, a bar later, is refused (a rejected request, not a rejected
 * order); the next one gets through.
 */
class LostSellAnswer implements Exchange {
  readonly name = 'lossy-paper';
  private sell: string | undefined;
  private lookups = 0;
  constructor(private readonly inner: Exchange) {}
  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return this.inner.markets();
  }
  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return this.inner.balances();
  }
  async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    const placed = await this.inner.placeOrder(request);
    if (request.side !== 'sell' || this.sell !== undefined) return placed;
    this.sell = request.clientOrderId;
    return failure(exchangeError.timeout('request timed out after 10000ms', true));
  }
  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    if (clientOrderId === this.sell) {
      this.lookups++;
      if (this.lookups <= 4) return Promise.resolve(failure(exchangeError.network('connect ECONNREFUSED')));
      if (this.lookups === 5) return Promise.resolve(failure(exchangeError.rejected('request rejected: try again later')));
    }
    return this.inner.fetchOrderByClientId(symbol, clientOrderId);
  }
  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.inner.cancelOrder(symbol, clientOrderId);
  }
}

function flat(from: number, price: string, count: number): Bar[] {
  const px = d(price);
  return Array.from({ length: count }, (_, i) => ({ symbol: 'BTC/USD', openTime: from + (i + 1) * 60_000, open: px, high: px, low: px, close: px, volume: d('1000') }));
}

describe.skipIf(!available)('an exit sell whose answer was lost, then whose lookups failed (real BTC-PERP candles)', () => {
  let logs: ReadBack;
  let store: StateStore;
  let paper: PaperExchange;
  let recorder: Recorder;
  let sells: AnyEventLine[];

  beforeAll(async () => {
    const dataDir = join(tempDir('tradetrace-unsettled-sell-'), 'data');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { config } = loaded.value;
    const spec = paperMarketFor('BTC/USD', { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps });
    // The first hour of the month, where the strategy buys 0.001 BTC near 46,500 USD; then a drop
    // that fires the stop loss on every bar.
    const real: Bar[] = readCsvCandles(BTC_PERP_CSV, 60).map((c) => ({ ...c, symbol: 'BTC/USD' }));
    const bars = [...real, ...flat(real.at(-1)?.openTime ?? 0, '40000.0', 6)];
    recorder = new Recorder({ sessionId: 'session_20220101_000000', sink: new FileSink(logsDir) });
    store = StateStore.open({ dataDir });
    const portfolio = new Portfolio(store);
    let barClose = (real[0]?.openTime ?? 0) + 60_000;
    portfolio.seedBalances(startingBalances(config, [spec.rules]), barClose);
    paper = new PaperExchange({ markets: [spec], balances: Object.fromEntries(store.balances()), now: () => barClose });
    const exchange = new StoreSyncedExchange(new LostSellAnswer(paper), store, () => barClose);
    const ctx: EngineContext = {
      recorder, exchange, portfolio, stats: new EngineStats(), bus: new DashboardBus({ recorder }), settings: engineSettings(config), observer: {},
      markets: new Map([[spec.rules.symbol, spec.rules]]), intervalMs: 60_000, dataAgeMs: () => 0,
      router: new OrderRouter({ exchange, recorder, markets: [spec.rules], random: seededRandom(1), sleep: () => Promise.resolve() }),
    };
    const s = config.strategy;
    const strategies = emaCrossRsiFactory({ fastPeriod: s.ema_fast, slowPeriod: s.ema_slow, rsiPeriod: s.rsi_period, rsiMax: s.rsi_max, atrPeriod: s.atr_period });
    const engine = new TradingEngine({ ctx, strategies, paper });
    for (const bar of bars) {
      barClose = bar.openTime + 60_000;
      await engine.onBar(bar);
    }
    logs = await readLogs(logsDir);
    sells = logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell');
  }, 60_000);

  afterAll(() => {
    paper.close();
    store.close();
    recorder.close();
  });

  it('sends no second sell while the first may still fill: one EXIT_BLOCKED (unsettled_order) instead', () => {
    expect(logs.bad).toEqual([]);
    expect(sells).toHaveLength(1);
    const failed = logs.lines.filter((l) => l.event_type === 'ORDER_FAILED' && l.intent_id === sells[0]?.intent_id);
    expect(failed.map((l) => f(l, 'reason'))).toEqual(['timeout_exhausted']);
    const blocked = logs.lines.filter((l) => l.event_type === 'EXIT_BLOCKED');
    expect(blocked.map((l) => [f(l, 'rule'), f(l, 'refused_by')])).toEqual([['stop_loss', 'unsettled_order']]);
    expect(String(f(blocked[0], 'message'))).toContain(`order ${String(f(sells[0], 'client_order_id'))} (sell) is not settled yet (unknown)`);
  });

  it('a refused lookup does not mark the order rejected: the watcher asks again, finds the fill and closes the position', () => {
    const intent = sells[0]?.intent_id;
    const late = logs.lines.filter((l) => l.intent_id === intent && (l.event_type === 'ORDER_FILLED' || l.event_type === 'SELL_FILLED'));
    expect(late.map((l) => l.event_type)).toEqual(['ORDER_FILLED', 'SELL_FILLED']);
    expect(f(late[1], 'rule')).toBe('stop_loss');
    expect(store.positions()).toEqual([]);
    expect(store.order(String(f(sells[0], 'client_order_id')))?.status).toBe('filled');
    // What the exchange holds and what the bot books agree: no BTC left on either side.
    expect(store.balances().get('BTC')?.isZero() ?? true).toBe(true);
  });
});
