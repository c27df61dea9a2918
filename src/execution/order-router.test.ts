import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { readStrictLines } from '../../test/support/strict-lines.js';
import { Decimal } from '../domain/decimal.js';
import { newDecisionId, newIntentId } from '../domain/ids.js';
import { seededRandom } from '../domain/seeded-random.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { withDecision } from '../recorder/trace-context.js';
import type { OrderIntent } from './order-intent.js';
import { OrderRouter } from './order-router.js';
import { CheckedExchange } from './testing/checked-exchange.js';
import { candleAt, loadRealMarkets, paperOn, type PaperSetup, type RealMarket } from './testing/paper-markets.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON) : null;
const d = (text: string) => Decimal.parse(text);

const SPEC_CONTEXT_FIELDS = [
  'intent_id', 'symbol', 'side', 'qty', 'limit_px', 'quote_budget', 'notional', 'tif', 'slippage_bps', 'min_notional',
  'max_retries', 'retry_backoff_ms', 'attempt', 'attempt_start_ts',
];

function harness(market: RealMarket, at: number, setup: PaperSetup = {}) {
  const logs = join(tempDir('tradetrace-router-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
  const paper = paperOn(market, at, setup);
  const exchange = new CheckedExchange(paper, logs);
  const router = new OrderRouter({ exchange, recorder, markets: [market.rules], random: seededRandom(11) });
  const lines = (): AnyEventLine[] => readStrictLines(join(logs, 'orders.jsonl'));
  const types = () => lines().map((l) => l.event_type);
  return { recorder, paper, exchange, router, lines, types, logs };
}

function buyIntent(market: RealMarket, at: number, overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    intentId: newIntentId(), symbol: market.rules.symbol, side: 'buy', size: { quoteBudget: d('500') },
    referencePx: candleAt(market, at).close, slippageBps: 20, tif: 'IOC', maxRetries: 3, retryBackoffMs: 4, ...overrides,
  };
}

describe.runIf(available)('OrderRouter on real BTC-PERP candles', () => {
  const btc = () => markets!.btc;

  it('writes ORDER_CONTEXT with every spec field before the exchange sees the order, then fills', async () => {
    const h = harness(btc(), 120);
    const intent = buyIntent(btc(), 120);
    const decisionId = newDecisionId();
    const result = await withDecision(decisionId, () => h.router.route(intent));
    expect(h.exchange.placed).toHaveLength(1);
    expect(h.exchange.missingContext).toEqual([]);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ status: 'filled', attempt: 1, partial: false, open: false, clientOrderId: `${intent.intentId}-1` });
    const lines = h.lines();
    expect(lines.map((l) => l.event_type)).toEqual(['ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_FILLED']);
    for (const line of lines) expect({ d: line.decision_id, i: line.intent_id }).toEqual({ d: decisionId, i: intent.intentId });
    const ctx = lines[0]!;
    if (ctx.event_type !== 'ORDER_CONTEXT') throw new Error('first line is not ORDER_CONTEXT');
    for (const key of SPEC_CONTEXT_FIELDS) expect(Object.keys(ctx), key).toContain(key);
    const close = candleAt(btc(), 120).close;
    const limit = close.mul(d('1.002')).quantize(d('0.5'), 'down');
    expect(ctx).toMatchObject({
      symbol: 'BTC/USD', side: 'buy', limit_px: limit.toNumber(), quote_budget: 500, tif: 'IOC', slippage_bps: 20,
      min_notional: 5, max_retries: 3, retry_backoff_ms: 4, attempt: 1, client_order_id: `${intent.intentId}-1`,
    });
    expect(d(String(ctx.qty)).mul(limit).mul(d('1.0007')).lte(d('500'))).toBe(true);
    expect(ctx.notional).toBe(d(String(ctx.qty)).mul(limit).toNumber());
    const raw = readFileSync(join(h.logs, 'orders.jsonl'), 'utf8');
    expect(raw).toContain(`"intent_id":"${intent.intentId}"`);
    expect(raw.split('\n').filter((l) => l.includes(`"intent_id":"${intent.intentId}"`) && l.includes('ORDER_CONTEXT'))).toHaveLength(1);
    expect(result.value.avgPx!.lte(limit)).toBe(true);
  });

  it('refuses below min notional after rounding with ORDER_FAILED min_notional, never calling the exchange', async () => {
    const h = harness(btc(), 120);
    // 6 USD buys 0.0001 BTC (about 4.7 USD) once rounded to the lot: under the 5 USD minimum.
    const result = await h.router.route(buyIntent(btc(), 120, { size: { quoteBudget: d('6') } }));
    expect(result).toMatchObject({ ok: false, error: { reason: 'min_notional' } });
    expect(h.exchange.placed).toHaveLength(0);
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_FAILED']);
    expect(h.lines()[1]).toMatchObject({ reason: 'min_notional', attempt: 1 });
  });

  it('after a timeout that reached the exchange, finds the order by client id and never sends a second one', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['timeout_reached'] } } });
    const intent = buyIntent(btc(), 120);
    const result = await h.router.route(intent);
    expect(h.exchange.placed.map((r) => r.clientOrderId)).toEqual([`${intent.intentId}-1`]);
    expect(h.exchange.fetched).toEqual([`${intent.intentId}-1`]);
    expect(result).toMatchObject({ ok: true, value: { status: 'filled', attempt: 1 } });
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_FILLED']);
    expect((await h.paper.fetchOrderByClientId('BTC/USD', `${intent.intentId}-2`)).ok).toBe(false);
    const btcBalance = (await h.paper.balances());
    const filled = result.ok ? result.value.filledQty : d('0');
    expect(btcBalance.ok && btcBalance.value.find((b) => b.asset === 'BTC')?.free.eq(d('2').add(filled))).toBe(true);
  });

  it('after a timeout that never reached the exchange, retries as attempt 2 with its own ORDER_CONTEXT', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['timeout_lost'] } } });
    const intent = buyIntent(btc(), 120);
    const result = await h.router.route(intent);
    expect(h.exchange.placed.map((r) => r.clientOrderId)).toEqual([`${intent.intentId}-1`, `${intent.intentId}-2`]);
    expect(h.exchange.missingContext).toEqual([]);
    expect(result).toMatchObject({ ok: true, value: { attempt: 2, clientOrderId: `${intent.intentId}-2` } });
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_FILLED']);
    const retry = h.lines()[1]!;
    expect(retry).toMatchObject({ reason: 'timeout', attempt: 1, next_attempt: 2 });
    expect(retry.event_type === 'ORDER_RETRY' && retry.backoff_ms >= 0 && retry.backoff_ms <= 4).toBe(true);
    expect(JSON.stringify(retry)).not.toContain('paper-api-key-3f9a7c');
    expect(h.lines().filter((l) => l.event_type === 'ORDER_CONTEXT').map((l) => (l.event_type === 'ORDER_CONTEXT' ? l.attempt : 0))).toEqual([1, 2]);
  });

  it('keeps looking up a timed-out order while the lookup fails, then settles on it', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['timeout_reached'], fetchOrderByClientId: ['network', 'rate_limited'] }, retryAfterMs: 3 } });
    const result = await h.router.route(buyIntent(btc(), 120));
    expect(result).toMatchObject({ ok: true, value: { attempt: 1 } });
    expect(h.exchange.placed).toHaveLength(1);
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_RETRY', 'ORDER_SUBMITTED', 'ORDER_FILLED']);
    expect(h.lines()[1]).toMatchObject({ reason: 'order_state_unknown', attempt: 1, next_attempt: 1 });
    const rateLimited = h.lines()[2]!;
    expect(rateLimited.event_type === 'ORDER_RETRY' && rateLimited.backoff_ms >= 3).toBe(true);
  });

  it('gives up without resending when a timed-out order cannot be looked up', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['timeout_reached'], fetchOrderByClientId: ['network', 'network', 'network', 'network'] } } });
    const result = await h.router.route(buyIntent(btc(), 120));
    expect(result).toMatchObject({ ok: false, error: { reason: 'timeout_exhausted' } });
    expect(result.ok ? '' : result.error.message).toMatch(/not resending/);
    expect(h.exchange.placed).toHaveLength(1);
    expect(h.exchange.fetched).toHaveLength(4);
    expect(h.types().at(-1)).toBe('ORDER_FAILED');
  });

  it('fails timeout_exhausted after max_retries lost timeouts, one ORDER_CONTEXT per attempt', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['timeout_lost', 'timeout_lost', 'timeout_lost'] } } });
    const intent = buyIntent(btc(), 120, { maxRetries: 2 });
    const result = await h.router.route(intent);
    expect(result).toMatchObject({ ok: false, error: { reason: 'timeout_exhausted', clientOrderId: `${intent.intentId}-3` } });
    expect(h.exchange.placed).toHaveLength(3);
    expect(h.exchange.missingContext).toEqual([]);
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_CONTEXT', 'ORDER_FAILED']);
  });

  it.each([
    ['rate_limited', 'rate_limited'],
    ['network', 'network'],
    ['unavailable', 'exchange_unavailable'],
    ['connect_timeout', 'timeout_exhausted'],
  ] as const)('retries a %s fault, and reports %s when every attempt hits it', async (kind, reason) => {
    const once = harness(btc(), 120, { faults: { script: { placeOrder: [kind] }, retryAfterMs: 5 } });
    const recovered = await once.router.route(buyIntent(btc(), 120));
    expect(recovered).toMatchObject({ ok: true, value: { attempt: 2 } });
    expect(once.lines()[1]).toMatchObject({ event_type: 'ORDER_RETRY', reason: kind === 'connect_timeout' ? 'timeout' : kind });
    // A connect timeout never sent anything, so there is nothing to look up.
    expect(once.exchange.fetched).toEqual([]);
    const always = harness(btc(), 120, { faults: { script: { placeOrder: [kind, kind, kind] }, retryAfterMs: 5 } });
    const failed = await always.router.route(buyIntent(btc(), 120, { maxRetries: 2 }));
    expect(failed).toMatchObject({ ok: false, error: { reason } });
    expect(always.lines().at(-1)).toMatchObject({ event_type: 'ORDER_FAILED', reason, attempt: 3 });
  });

  it('does not retry a rejection, and strips the credentials the exchange echoed', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['rejected'] } } });
    const result = await h.router.route(buyIntent(btc(), 120));
    expect(result).toMatchObject({ ok: false, error: { reason: 'rejected' } });
    expect(h.exchange.placed).toHaveLength(1);
    const raw = readFileSync(join(h.logs, 'orders.jsonl'), 'utf8');
    expect(raw).toContain('apiKey=[REDACTED]');
    expect(raw).not.toContain('paper-api-key-3f9a7c');
    expect(raw).not.toContain('9c1f2e7d5a0b44e1');
    expect(result.ok ? '' : result.error.message).not.toContain('paper-api-key-3f9a7c');
  });

  it('reports insufficient_balance from the exchange without retrying', async () => {
    const h = harness(btc(), 120, { balances: { USD: d('100'), BTC: d('0') } });
    const result = await h.router.route(buyIntent(btc(), 120, { size: { quoteBudget: d('300') } }));
    expect(result).toMatchObject({ ok: false, error: { reason: 'insufficient_balance' } });
    expect(h.exchange.placed).toHaveLength(1);
  });

  it('reports slippage when the market is beyond the limit, with the IOC expiry logged', async () => {
    const h = harness(btc(), 120);
    const far = candleAt(btc(), 120).close.mul(d('0.98'));
    const result = await h.router.route(buyIntent(btc(), 120, { referencePx: far }));
    expect(result).toMatchObject({ ok: false, error: { reason: 'slippage' } });
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_CANCELED', 'ORDER_FAILED']);
    expect(h.lines()[2]).toMatchObject({ reason: 'ioc_expired', filled_qty: 0 });
  });

  it('sells an exit by quantity, with quote_budget the notional at the limit', async () => {
    const h = harness(btc(), 130);
    const result = await h.router.route({ ...buyIntent(btc(), 130), side: 'sell', size: { qty: d('0.05') } });
    expect(result).toMatchObject({ ok: true, value: { status: 'filled', side: 'sell' } });
    const ctx = h.lines()[0]!;
    expect(ctx.event_type === 'ORDER_CONTEXT' && ctx.quote_budget === ctx.notional && ctx.qty === 0.05).toBe(true);
    expect(result.ok && result.value.avgPx!.gte(d(String(ctx.event_type === 'ORDER_CONTEXT' ? ctx.limit_px : 0)))).toBe(true);
  });

  it('refuses a malformed intent naming the field', async () => {
    const h = harness(btc(), 120);
    const result = await h.router.route(buyIntent(btc(), 120, { slippageBps: -1 }));
    expect(result).toMatchObject({ ok: false, error: { reason: 'invalid_order', message: 'slippage_bps -1: expected a number in [0, 10000)' } });
    expect(h.exchange.placed).toHaveLength(0);
  });
});

describe.runIf(available)('OrderRouter on the real altcoin candles (~0.0016 BTC)', () => {
  const alt = () => markets!.alt;

  it('applies a config min_notional stricter than the market, at 8-decimal prices', async () => {
    const h = harness(alt(), 150);
    const result = await h.router.route(buyIntent(alt(), 150, { size: { quoteBudget: d('0.004') }, minNotional: d('0.005') }));
    expect(result).toMatchObject({ ok: false, error: { reason: 'min_notional' } });
    expect(h.exchange.placed).toHaveLength(0);
    expect(h.lines()[0]).toMatchObject({ event_type: 'ORDER_CONTEXT', min_notional: 0.005 });
  });

  it('logs a partial IOC fill in a thin minute as ORDER_FILLED partial, then the expiry', async () => {
    const thin = alt().candles.findIndex((c, i) => i > 10 && c.volume.gte(d('10')) && c.volume.lt(d('20')));
    const h = harness(alt(), thin);
    const result = await h.router.route(buyIntent(alt(), thin, { size: { quoteBudget: d('0.05') } }));
    expect(result).toMatchObject({ ok: true, value: { partial: true, status: 'expired' } });
    expect(result.ok && result.value.filledQty.toString()).toBe('1');
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_FILLED', 'ORDER_CANCELED']);
    expect(h.lines()[2]).toMatchObject({ partial: true, filled_qty: 1, fee_currency: 'BTC' });
    const ctx = h.lines()[0]!;
    expect(ctx.event_type === 'ORDER_CONTEXT' && Number.isInteger(ctx.qty) && d(String(ctx.limit_px)).lt(d('0.01'))).toBe(true);
  });
});

describe.runIf(available)('OrderRouter when the flight recorder fails', () => {
  const btc = () => markets!.btc;

  it('does not send the order when ORDER_CONTEXT cannot be written', async () => {
    const h = harness(btc(), 120);
    h.recorder.close();
    const result = await h.router.route(buyIntent(btc(), 120));
    expect(result).toMatchObject({ ok: false, error: { reason: 'recorder_unavailable' } });
    expect(result.ok ? '' : result.error.message).toMatch(/order not sent/);
    expect(h.exchange.placed).toHaveLength(0);
    expect(h.lines()).toEqual([]);
  });

  it('stops after the send when the recorder dies mid-flight, handing back the fill to book', async () => {
    const h = harness(btc(), 120);
    h.exchange.onPlace = () => h.recorder.close();
    const result = await h.router.route(buyIntent(btc(), 120, { maxRetries: 3 }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.reason).toBe('recorder_unavailable');
    expect(result.error.fill?.status).toBe('filled');
    expect(h.exchange.placed).toHaveLength(1);
    expect(h.types()).toEqual(['ORDER_CONTEXT']);
  });

  it('says a timed-out order may have reached the exchange when the recorder dies during its lookup', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['timeout_reached'], fetchOrderByClientId: ['unavailable'] } } });
    h.exchange.onPlace = () => h.recorder.close();
    const intent = buyIntent(btc(), 120);
    const result = await h.router.route(intent);
    const id = `${intent.intentId}-1`;
    expect(result).toMatchObject({ ok: false, error: { reason: 'recorder_unavailable', clientOrderId: id } });
    const message = result.ok ? '' : result.error.message;
    // The exchange did take it: calling it unsent would have the operator trade it a second time.
    expect(h.paper.peekOrder(id)?.status).toBe('filled');
    expect(message).not.toMatch(/not sent/);
    expect(message).toMatch(new RegExp(`order ${id} may have reached the exchange .*the next start reconciles it`));
    expect(h.exchange.placed).toHaveLength(1);
  });

  it('still says not sent when the lookup found no order and the recorder dies before the resend', async () => {
    const h = harness(btc(), 120, { faults: { script: { placeOrder: ['timeout_lost'] } } });
    h.exchange.onPlace = () => h.recorder.close();
    const intent = buyIntent(btc(), 120);
    const result = await h.router.route(intent);
    expect(h.exchange.fetched).toEqual([`${intent.intentId}-1`]);
    expect(h.exchange.placed).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, error: { reason: 'recorder_unavailable' } });
    expect(result.ok ? '' : result.error.message).toMatch(/order not sent$/);
  });
});

describe.runIf(available)('OrderRouter when an error inside the bot stops an intent', () => {
  it('ends the intent with ORDER_FAILED (reason unknown, naming the error) before the error goes on to halt the engine', async () => {
    const btc = markets!.btc;
    const h = harness(btc, 120);
    // What the store-synced exchange throws when the state store cannot record the order before sending it.
    h.exchange.onPlace = () => {
      throw new Error('state store failed: recording order rolled back: disk I/O error');
    };
    const intent = buyIntent(btc, 120);
    await expect(h.router.route(intent)).rejects.toThrow('disk I/O error');
    expect(h.types()).toEqual(['ORDER_CONTEXT', 'ORDER_FAILED']);
    expect(h.lines()[1]).toMatchObject({
      intent_id: intent.intentId, reason: 'unknown', attempt: 1, client_order_id: `${intent.intentId}-1`,
      message: `stopped by an error inside the bot: state store failed: recording order rolled back: disk I/O error; if order ${intent.intentId}-1 reached the exchange, the next start reconciles it`,
    });
  });
});

describe.runIf(available)('OrderRouter under seeded random faults', () => {
  it('never leaves two orders for one intent, and every order had its ORDER_CONTEXT on disk first', async () => {
    const m = markets!.btc;
    const h = harness(m, 120, {
      faults: { seed: 99, rates: { timeout_reached: 0.15, timeout_lost: 0.15, rate_limited: 0.1, network: 0.1 }, operations: ['placeOrder', 'fetchOrderByClientId'], retryAfterMs: 1 },
      balances: { USD: d('10000000'), BTC: d('0') },
    });
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const intent = buyIntent(m, 120, { size: { quoteBudget: d('100') }, maxRetries: 3, retryBackoffMs: 1 });
      const result = await h.router.route(intent);
      const key = result.ok ? 'ok' : result.error.reason;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      let live = 0;
      for (let attempt = 1; attempt <= 4; attempt++) {
        if (h.paper.peekOrder(`${intent.intentId}-${attempt}`)) live++;
      }
      expect(live, intent.intentId).toBeLessThanOrEqual(1);
      if (result.ok) expect(live).toBe(1);
    }
    expect(h.exchange.missingContext).toEqual([]);
    expect(h.paper.faults.injected.length).toBeGreaterThan(15);
    expect(h.paper.faults.injected.some((f) => f.kind === 'timeout_reached' && f.operation === 'placeOrder')).toBe(true);
    expect(outcomes.get('ok')).toBeGreaterThan(30);
  });
});
