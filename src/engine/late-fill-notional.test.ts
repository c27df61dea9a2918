import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBars } from '../../test/support/load-bars.js';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import type { StateStore } from '../store/state-store.js';
import { engineRig, type EngineRig } from './__fixtures__/engine-rig.js';
import { PassThroughVenue } from './__fixtures__/first-hour-engine.js';
import { paperMarketFor } from './paper-markets.js';

const available = sharedDataAvailable();
const field = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];
const dec = (line: AnyEventLine, name: string): Decimal => Decimal.parse(String(field(line, name)));

/**
 * Every buy reaches the exchange, but its answer is lost and the router's four look-ups fail on
 * the network: the router gives up (timeout_exhausted) and the watcher finds the order on the next
 * bar, with the fill taken at once (at the taker price) and the resting fills since (at the limit)
 * in one increment, whose average price no 18 places hold exactly.
 */
class LostBuyAnswers extends PassThroughVenue {
  override readonly name = 'lossy-paper';
  private readonly lookups = new Map<string, number>();
  override async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    const placed = await this.inner.placeOrder(request);
    if (request.side !== 'buy' || !placed.ok) return placed;
    this.lookups.set(request.clientOrderId, 0);
    return failure(exchangeError.timeout('request timed out after 5000ms', true));
  }
  override fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    const done = this.lookups.get(clientOrderId);
    if (done !== undefined && done < 4) {
      this.lookups.set(clientOrderId, done + 1);
      return Promise.resolve(failure(exchangeError.network('connect ECONNREFUSED')));
    }
    return this.inner.fetchOrderByClientId(symbol, clientOrderId);
  }
}

describe.skipIf(!available)('a buy\'s fills found late, in one increment at several prices (real UNITTEST/BTC candles, GTC)', () => {
  let rig: EngineRig;
  let store: StateStore;
  let lines: AnyEventLine[];

  beforeAll(async () => {
    const loaded = loadConfig({ sets: ['trading.quote_currency=BTC', 'execution.tif=GTC'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { config } = loaded.value;
    const bars = (await loadBars(ALTCOIN_JSON)).slice(0, 600);
    const first = bars[0]!;
    const spec = paperMarketFor(first.symbol, { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps }, first.close);
    rig = engineRig({
      config, spec, dataDir: join(tempDir('tradetrace-late-fill-notional-'), 'data'), sessionId: 'session_20171105_000000', firstOpen: first.openTime,
      venue: (paper) => new LostBuyAnswers(paper),
    });
    await rig.feed(bars);
    rig.recorder.flush();
    const logs = await readLogs(rig.logsDir);
    expect(logs.bad).toEqual([]);
    lines = logs.lines;
    store = rig.store;
  }, 120_000);

  afterAll(() => rig.close());

  it('BUY_FILLED.notional is the exact value the exchange filled, not the line\'s qty x its rounded avg_px', () => {
    const found = lines.filter((l) => l.event_type === 'BUY_FILLED');
    const byOrder = new Map<string, Decimal>();
    for (const l of found) {
      const id = `${l.intent_id ?? ''}-1`;
      byOrder.set(id, (byOrder.get(id) ?? Decimal.ZERO).add(dec(l, 'notional')));
    }
    // The case of the finding: an increment whose average price 18 places cannot hold.
    const inexact = found.filter((l) => !dec(l, 'qty').mul(dec(l, 'avg_px')).eq(dec(l, 'notional')));
    expect(inexact.length, 'increments whose qty x avg_px is not their notional').toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const [id, logged] of byOrder) {
      const exact = store.order(id)?.filledNotional;
      if (exact === undefined || !logged.eq(exact)) wrong.push(`${id}: BUY_FILLED notional adds up to ${logged.toString()}, the exchange filled ${exact?.toString() ?? '-'}`);
    }
    expect(byOrder.size).toBeGreaterThan(1);
    expect(wrong).toEqual([]);
  });
});
