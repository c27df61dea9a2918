import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { seededRandom } from '../domain/seeded-random.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import { OrderRouter } from '../execution/order-router.js';
import { PaperExchange } from '../execution/paper/paper-exchange.js';
import { readCsvCandles } from '../execution/testing/candle-files.js';
import type { MarketRules } from '../domain/market-rules.js';
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
 * An exchange stricter than the rules it publishes: it refuses sells worth less than `minSell`,
 * the way a venue whose minimum changed (or that values orders at its own mark) would.
 */
class StricterExchange implements Exchange {
  readonly name = 'stricter-paper';
  constructor(private readonly inner: Exchange, private readonly minSell: Decimal) {}
  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return this.inner.markets();
  }
  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return this.inner.balances();
  }
  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    if (request.side === 'sell' && request.type === 'limit' && request.qty.mul(request.limitPx).lt(this.minSell)) {
      return Promise.resolve(failure(exchangeError.invalidOrder('notional_below_min', `order value below this venue's minimum ${this.minSell.toString()}`)));
    }
    return this.inner.placeOrder(request);
  }
  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.inner.fetchOrderByClientId(symbol, clientOrderId);
  }
  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.inner.cancelOrder(symbol, clientOrderId);
  }
}

/** Flat one-minute bars at `price` after `from`. */
function flat(from: number, price: string, count: number): Bar[] {
  const px = d(price);
  return Array.from({ length: count }, (_, i) => ({ symbol: 'BTC/USD', openTime: from + (i + 1) * 60_000, open: px, high: px, low: px, close: px, volume: d('1000') }));
}

describe.skipIf(!available)('an exit sell the router refuses for its value although the pre-check passed it (real BTC-PERP candles)', () => {
  let logs: ReadBack;
  let stats: EngineStats;
  let store: StateStore;
  let paper: PaperExchange;
  let recorder: Recorder;

  beforeAll(async () => {
    const dataDir = join(tempDir('tradetrace-exit-refused-'), 'data');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { config } = loaded.value;
    const spec = paperMarketFor('BTC/USD', { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps });
    // The first hour of the month: the strategy buys 0.001 BTC near 46,500 USD in it.
    const real: Bar[] = readCsvCandles(BTC_PERP_CSV, 60).map((c) => ({ ...c, symbol: 'BTC/USD' }));
    const last = real.at(-1)?.openTime ?? 0;
    // At 7000 the sell (limit 6986) is worth 6.986 USD: above the published 5, below the venue's 10.
    // At 7500 (7.485) it is worth more than the refused value, so it is tried once more; at 10100 it sells.
    const bars = [...real, ...flat(last, '7000.0', 10)];
    bars.push(...flat(bars.at(-1)?.openTime ?? 0, '7500.0', 10));
    bars.push(...flat(bars.at(-1)?.openTime ?? 0, '10100.0', 2));

    recorder = new Recorder({ sessionId: 'session_20220101_000000', sink: new FileSink(logsDir) });
    store = StateStore.open({ dataDir });
    const portfolio = new Portfolio(store);
    let barClose = (real[0]?.openTime ?? 0) + 60_000;
    portfolio.seedBalances(startingBalances(config, [spec.rules]), barClose);
    paper = new PaperExchange({ markets: [spec], balances: Object.fromEntries(store.balances()), now: () => barClose });
    const exchange = new StoreSyncedExchange(new StricterExchange(paper, d('10')), store, () => barClose);
    stats = new EngineStats();
    const ctx: EngineContext = {
      recorder, exchange, portfolio, stats, bus: new DashboardBus({ recorder }), settings: engineSettings(config), observer: {},
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
  }, 60_000);

  afterAll(() => {
    paper.close();
    store.close();
    recorder.close();
  });

  it('holds the position after the refusal instead of sending the same sell every bar, and sells once it is worth enough', () => {
    expect(logs.bad).toEqual([]);
    const buys = logs.lines.filter((l) => l.event_type === 'BUY_FILLED');
    expect(buys).toHaveLength(1);
    const id = buys[0]?.decision_id;
    const exit = logs.lines.filter((l) => l.decision_id === id && ['EXIT_BLOCKED', 'EXIT_TRIGGERED', 'ORDER_FAILED', 'SELL_FILLED'].includes(l.event_type) && f(l, 'side') !== 'buy');
    // 20 bars where the stop loss fires below 10 USD: two refusals (at 7000, then at the higher 7500), not twenty.
    expect(exit.map((l) => l.event_type === 'ORDER_FAILED' ? `ORDER_FAILED ${String(f(l, 'reason'))}` : l.event_type)).toEqual([
      'EXIT_TRIGGERED', 'ORDER_FAILED min_notional', 'EXIT_BLOCKED', 'EXIT_TRIGGERED', 'ORDER_FAILED min_notional', 'EXIT_TRIGGERED', 'SELL_FILLED',
    ]);
    const blocked = exit.find((l) => l.event_type === 'EXIT_BLOCKED');
    expect([f(blocked, 'refused_by'), f(blocked, 'notional'), f(blocked, 'min_notional'), blocked?.intent_id === undefined]).toEqual(['router', 6.986, 5, false]);
    expect(String(f(blocked, 'message'))).toContain('held until its order value exceeds 6.986 USD');
    expect(stats.exitsBlocked).toBe(1);
    expect(stats.failures.get('min_notional')).toBe(2);
    expect(stats.exitBlockedNow.size).toBe(0);
    expect(store.positions()).toEqual([]);
  });
});
