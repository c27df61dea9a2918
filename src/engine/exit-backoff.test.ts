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

/** An exchange whose account no longer holds what the bot's books say (sold by hand): it refuses every sell until `allowSells`. */
class SoldByHand implements Exchange {
  readonly name = 'sold-by-hand-paper';
  allowSells = false;
  constructor(private readonly inner: Exchange) {}
  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return this.inner.markets();
  }
  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return this.inner.balances();
  }
  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    if (request.side === 'sell' && !this.allowSells) return Promise.resolve(failure(exchangeError.insufficientBalance('BTC', 'order needs 0.001 BTC, free 0')));
    return this.inner.placeOrder(request);
  }
  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
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

describe.skipIf(!available)('an exit sell the exchange keeps refusing for a lasting reason (real BTC-PERP candles, then a drop)', () => {
  let logs: ReadBack;
  let store: StateStore;
  let paper: PaperExchange;
  let recorder: Recorder;
  let drop: Bar[];

  beforeAll(async () => {
    const dataDir = join(tempDir('tradetrace-exit-backoff-'), 'data');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { config } = loaded.value;
    const spec = paperMarketFor('BTC/USD', { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps });
    // The first hour of the month, where the strategy buys 0.001 BTC near 46,500 USD; then 40 bars
    // where the stop loss fires on every bar.
    const real: Bar[] = readCsvCandles(BTC_PERP_CSV, 60).map((c) => ({ ...c, symbol: 'BTC/USD' }));
    drop = flat(real.at(-1)?.openTime ?? 0, '40000.0', 40);
    recorder = new Recorder({ sessionId: 'session_20220101_000000', sink: new FileSink(logsDir) });
    store = StateStore.open({ dataDir });
    const portfolio = new Portfolio(store);
    let barClose = (real[0]?.openTime ?? 0) + 60_000;
    portfolio.seedBalances(startingBalances(config, [spec.rules]), barClose);
    paper = new PaperExchange({ markets: [spec], balances: Object.fromEntries(store.balances()), now: () => barClose });
    const venue = new SoldByHand(paper);
    const exchange = new StoreSyncedExchange(venue, store, () => barClose);
    const ctx: EngineContext = {
      recorder, exchange, portfolio, stats: new EngineStats(), bus: new DashboardBus({ recorder }), settings: engineSettings(config), observer: {},
      markets: new Map([[spec.rules.symbol, spec.rules]]), intervalMs: 60_000, dataAgeMs: () => 0,
      router: new OrderRouter({ exchange, recorder, markets: [spec.rules], random: seededRandom(1), sleep: () => Promise.resolve() }),
    };
    const s = config.strategy;
    const strategies = emaCrossRsiFactory({ fastPeriod: s.ema_fast, slowPeriod: s.ema_slow, rsiPeriod: s.rsi_period, rsiMax: s.rsi_max, atrPeriod: s.atr_period });
    const engine = new TradingEngine({ ctx, strategies, paper });
    for (const bar of [...real, ...drop]) {
      barClose = bar.openTime + 60_000;
      // The account is put right (the operator bought the coins back) on bar 20 of the drop.
      if (bar.openTime === drop[20]?.openTime) venue.allowSells = true;
      await engine.onBar(bar);
    }
    logs = await readLogs(logsDir);
  }, 60_000);

  afterAll(() => {
    paper.close();
    store.close();
    recorder.close();
  });

  it('retries after 1, 2, 4, 8 and 16 bars instead of on every bar, says so once, and sells at the next try once the exchange lets it', () => {
    expect(logs.bad).toEqual([]);
    const sells = logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell');
    const failed = logs.lines.filter((l) => l.event_type === 'ORDER_FAILED' && f(l, 'side') === 'sell').map((l) => f(l, 'reason'));
    // Tried on drop bars 0, 1, 3, 7 and 15 (refused), then 31: the account was right from bar 20,
    // and the sell on bar 31 fills. Every bar before, 40 sells would have been sent.
    expect(failed).toEqual(Array.from({ length: 5 }, () => 'insufficient_balance'));
    // Exits run before the bar's decision: a sell belongs to the bar of the next DECISION_START.
    const starts = logs.lines.filter((l) => l.event_type === 'DECISION_START');
    const barOf = (line: AnyEventLine): number => drop.findIndex((b) => Date.parse(String(f(starts.find((st) => st.seq > line.seq), 'bar_ts'))) === b.openTime);
    expect(sells.map(barOf)).toEqual([0, 1, 3, 7, 15, 31]);
    const blocked = logs.lines.filter((l) => l.event_type === 'EXIT_BLOCKED');
    expect(blocked.map((l) => [f(l, 'rule'), f(l, 'refused_by')])).toEqual([['stop_loss', 'router']]);
    expect(String(f(blocked[0], 'message'))).toMatch(/the sell failed 2 times in a row .*insufficient_balance.*retried after 2 bars/);
    const sold = logs.lines.filter((l) => l.event_type === 'SELL_FILLED');
    expect(sold.map((l) => f(l, 'rule'))).toEqual(['stop_loss']);
    expect(store.positions()).toEqual([]);
  });
});
