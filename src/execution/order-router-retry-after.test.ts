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
import type { OrderIntent } from './order-intent.js';
import { OrderRouter } from './order-router.js';
import { MAX_BACKOFF_MS } from './retry-backoff.js';
import { CheckedExchange } from './testing/checked-exchange.js';
import type { FaultOptions } from './paper/fault-injector.js';
import { candleAt, loadRealMarkets, paperOn, type RealMarket } from './testing/paper-markets.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON) : null;

/** A router on the real paper exchange whose sleeps are recorded instead of waited. */
function harness(market: RealMarket, faults: FaultOptions) {
  const logs = join(tempDir('tradetrace-retry-after-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
  const paper = paperOn(market, 120, { faults });
  const exchange = new CheckedExchange(paper, logs);
  const slept: number[] = [];
  const router = new OrderRouter({
    exchange, recorder, markets: [market.rules], random: seededRandom(1), sleep: (ms) => { slept.push(ms); return Promise.resolve(); },
  });
  const lines = (): AnyEventLine[] => readStrictLines(join(logs, 'orders.jsonl'));
  return { paper, exchange, router, slept, lines };
}

function buyIntent(market: RealMarket): OrderIntent {
  return {
    intentId: newIntentId(), symbol: market.rules.symbol, side: 'buy', size: { quoteBudget: Decimal.parse('500') },
    referencePx: candleAt(market, 120).close, slippageBps: 20, tif: 'IOC', maxRetries: 3, retryBackoffMs: 4,
  };
}

describe.runIf(available)("OrderRouter and the exchange's Retry-After", () => {
  const btc = () => markets!.btc;

  it('waits the whole Retry-After before resending, and the ORDER_RETRY line says so', async () => {
    const h = harness(btc(), { script: { placeOrder: ['rate_limited'] }, retryAfterMs: 20_000 });
    const intent = buyIntent(btc());
    const result = await h.router.route(intent);
    expect(result).toMatchObject({ ok: true, value: { attempt: 2 } });
    expect(h.slept).toEqual([20_000]);
    expect(h.lines().map((l) => l.event_type)).toEqual(['ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_FILLED']);
    expect(h.lines()[1]).toMatchObject({ reason: 'rate_limited', attempt: 1, next_attempt: 2, backoff_ms: 20_000 });
    const retry = h.lines()[1];
    expect(retry?.event_type === 'ORDER_RETRY' ? retry.message : '').toContain("waiting at least the exchange's Retry-After of 20000 ms");
  });

  it('ends the intent rate_limited without resending when Retry-After is longer than an intent may wait', async () => {
    const h = harness(btc(), { script: { placeOrder: ['rate_limited'] }, retryAfterMs: 120_000 });
    const intent = buyIntent(btc());
    const result = await h.router.route(intent);
    // Resending at 30 s into a 120 s limit is what turns a rate limit into a ban.
    expect(h.slept).toEqual([]);
    expect(h.exchange.placed.map((r) => r.clientOrderId)).toEqual([`${intent.intentId}-1`]);
    expect(result).toMatchObject({ ok: false, error: { reason: 'rate_limited', clientOrderId: `${intent.intentId}-1` } });
    const message = result.ok ? '' : result.error.message;
    expect(message).toContain(`the exchange asks to wait 120000 ms (Retry-After), longer than the ${MAX_BACKOFF_MS} ms an intent may wait`);
    expect(message).toMatch(/not resending/);
    expect(h.lines().map((l) => l.event_type)).toEqual(['ORDER_CONTEXT', 'ORDER_FAILED']);
    expect(h.lines()[1]).toMatchObject({ reason: 'rate_limited', attempt: 1, client_order_id: `${intent.intentId}-1`, message });
  });

  it('stops looking up a timed-out order when the lookup is rate limited for longer than it may wait', async () => {
    const h = harness(btc(), { script: { placeOrder: ['timeout_reached'], fetchOrderByClientId: ['rate_limited'] }, retryAfterMs: 120_000 });
    const intent = buyIntent(btc());
    const result = await h.router.route(intent);
    expect(h.slept).toEqual([]);
    expect(h.exchange.fetched).toEqual([`${intent.intentId}-1`]);
    expect(h.exchange.placed).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, error: { reason: 'timeout_exhausted' } });
    const message = result.ok ? '' : result.error.message;
    expect(message).toContain('the exchange asks to wait 120000 ms (Retry-After)');
    expect(message).toMatch(/not resending, so as never to place a second order/);
  });
});
