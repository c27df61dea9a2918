import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { readStrictLines } from '../../test/support/strict-lines.js';
import { Decimal } from '../domain/decimal.js';
import { newIntentId } from '../domain/ids.js';
import { seededRandom } from '../domain/seeded-random.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import type { Exchange, ExchangeOrder } from './exchange.js';
import type { ExchangeResult } from './exchange-error.js';
import type { OrderIntent } from './order-intent.js';
import { OrderRouter } from './order-router.js';
import { candleAt, loadRealMarkets, paperOn, type RealMarket } from './testing/paper-markets.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON, 50) : null;
const d = (text: string) => Decimal.parse(text);

/** UNITTEST/BTC minute 7 traded 3 units: the fill model's 10% share of it is 0.3, no whole lot. */
const THIN = 7;
/** Minute 8 traded enough for a few lots. */
const TRADED = 8;

/** A venue that answers a bare "expired", as most real ones do: the paper exchange without its reason. */
class BareExpiry implements Exchange {
  readonly name = 'bare-expiry';
  constructor(private readonly inner: Exchange) {}
  markets() { return this.inner.markets(); }
  balances() { return this.inner.balances(); }
  placeOrder(...args: Parameters<Exchange['placeOrder']>) { return this.inner.placeOrder(...args).then(bare); }
  fetchOrderByClientId(symbol: string, id: string) { return this.inner.fetchOrderByClientId(symbol, id).then(bare); }
  cancelOrder(symbol: string, id: string) { return this.inner.cancelOrder(symbol, id).then(bare); }
}

function bare(result: ExchangeResult<ExchangeOrder>): ExchangeResult<ExchangeOrder> {
  if (!result.ok) return result;
  const { unfilledBecause: _dropped, ...order } = result.value;
  return { ok: true, value: order };
}

function harness(market: RealMarket, at: number, wrap: (exchange: Exchange) => Exchange = (e) => e) {
  const logs = join(tempDir('tradetrace-router-liquidity-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
  const router = new OrderRouter({ exchange: wrap(paperOn(market, at)), recorder, markets: [market.rules], random: seededRandom(5) });
  const failed = (): AnyEventLine[] => readStrictLines(join(logs, 'orders.jsonl')).filter((l) => l.event_type === 'ORDER_FAILED');
  return { router, failed };
}

function buy(market: RealMarket, at: number, overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    intentId: newIntentId(), symbol: market.rules.symbol, side: 'buy', size: { quoteBudget: d('0.02') },
    referencePx: candleAt(market, at).close, slippageBps: 20, tif: 'IOC', maxRetries: 3, retryBackoffMs: 4, ...overrides,
  };
}

// An IOC buy at a limit above the close, on a minute whose volume leaves the paper account no whole
// lot, filled nothing: it was failed as `slippage`, which says the limit was too tight, and a wider
// slippage_bps would not have filled it.
describe.runIf(available)('an IOC order that filled nothing, on real UNITTEST/BTC minutes', () => {
  const alt = () => markets!.alt;

  it('fails no_liquidity when the limit was marketable and the minute had no volume to give', async () => {
    expect(candleAt(alt(), THIN).volume.mul(d('0.1')).lt(d('1'))).toBe(true);
    const h = harness(alt(), THIN);
    const result = await h.router.route(buy(alt(), THIN));
    expect(result).toMatchObject({ ok: false, error: { reason: 'no_liquidity' } });
    expect(result.ok ? '' : result.error.message).toMatch(/^no fill at limit [\d.]+ \(slippage_bps 20 from [\d.]+\): the limit was marketable, but the market had no volume for this IOC order of \d+$/);
    expect(h.failed()).toMatchObject([{ reason: 'no_liquidity', side: 'buy' }]);
  });

  it('fails no_liquidity for a FOK the minute could not fill whole', async () => {
    const h = harness(alt(), TRADED);
    const result = await h.router.route(buy(alt(), TRADED, { tif: 'FOK', size: { quoteBudget: d('0.5') } }));
    expect(result).toMatchObject({ ok: false, error: { reason: 'no_liquidity' } });
  });

  it('keeps slippage for a limit beyond the market, and says that is what it was', async () => {
    const h = harness(alt(), TRADED);
    const result = await h.router.route(buy(alt(), TRADED, { referencePx: candleAt(alt(), TRADED).close.mul(d('0.98')) }));
    expect(result).toMatchObject({ ok: false, error: { reason: 'slippage' } });
    expect(result.ok ? '' : result.error.message).toMatch(/: the market was beyond the limit$/);
  });

  it('keeps slippage, naming both causes, for a venue that only says the order expired', async () => {
    const h = harness(alt(), THIN, (e) => new BareExpiry(e));
    const result = await h.router.route(buy(alt(), THIN));
    expect(result).toMatchObject({ ok: false, error: { reason: 'slippage' } });
    expect(result.ok ? '' : result.error.message).toMatch(/: the market was beyond the limit or too thin for IOC$/);
  });
});
