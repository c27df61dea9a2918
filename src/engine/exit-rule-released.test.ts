import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import type { ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import { readCsvCandles } from '../execution/testing/candle-files.js';
import type { Bar } from '../market-data/index.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { engineRig, type EngineRig } from './__fixtures__/engine-rig.js';
import { flatBars, PassThroughVenue } from './__fixtures__/first-hour-engine.js';
import { paperMarketFor } from './paper-markets.js';

const available = sharedDataAvailable();
const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

/** Notes how many exit rules the engine's exchange holds each time a sell reaches the venue. */
class SellWatch extends PassThroughVenue {
  readonly taggedAtSell: number[] = [];
  rig: EngineRig | undefined;
  override placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    if (request.side === 'sell') this.taggedAtSell.push(this.rig?.exchange.exitsTagged ?? -1);
    return this.inner.placeOrder(request);
  }
}

describe.runIf(available)('the exit rule of a sell intent is forgotten once its exit is over (real BTC-PERP candles)', () => {
  it('holds the rule while the sell is routed, stores it with the order, and keeps none after the exit', async () => {
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { config } = loaded.value;
    const spec = paperMarketFor('BTC/USD', { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps });
    const real: Bar[] = readCsvCandles(BTC_PERP_CSV, 60).map((c) => ({ ...c, symbol: 'BTC/USD' }));
    let watch: SellWatch | undefined;
    const rig = engineRig({
      config, spec, dataDir: join(tempDir('tradetrace-exit-rule-'), 'data'), sessionId: 'session_20220101_000000', firstOpen: real[0]?.openTime ?? 0,
      venue: (paper) => (watch = new SellWatch(paper)),
    });
    try {
      if (watch) watch.rig = rig;
      // The first hour buys once; at 30000 the stop loss sells it.
      await rig.feed([...real, ...flatBars(real.at(-1)?.openTime ?? 0, '30000.0', 3)]);
      const logs = await readLogs(rig.logsDir);
      expect(logs.lines.filter((l) => l.event_type === 'SELL_FILLED')).toHaveLength(1);
      expect(watch?.taggedAtSell).toEqual([1]);
      expect(rig.exchange.exitsTagged).toBe(0);
      const sent = logs.lines.filter((l) => l.event_type === 'ORDER_SUBMITTED' && f(l, 'side') === 'sell').map((l) => String(f(l, 'client_order_id')));
      expect(sent.map((id) => [rig.store.order(id)?.status, rig.store.order(id)?.exitRule])).toEqual([['filled', 'stop_loss']]);
    } finally {
      rig.close();
    }
  }, 60_000);
});
