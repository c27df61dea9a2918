import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { newIntentId } from '../domain/ids.js';
import type { MarketRules } from '../domain/market-rules.js';
import { seededRandom } from '../domain/seeded-random.js';
import { ok } from '../domain/result.js';
import type { ExchangeResult } from '../execution/exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import type { OrderResult } from '../execution/order-intent.js';
import { OrderRouter } from '../execution/order-router.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { checkExit, exitSizing, type ExitCheck } from './exit-check.js';
import { paperMarketFor } from './paper-markets.js';

const d = (text: string) => Decimal.parse(text);
const fees = { makerBps: 2, takerBps: 7 };
const BTC_USD = paperMarketFor('BTC/USD', fees).rules;
const ALT_BTC = paperMarketFor('UNITTEST/BTC', fees).rules;

/** The network edge: fills whatever reaches it, and remembers what did. */
class FillingExchange implements Exchange {
  readonly name = 'filling';
  readonly placed: PlaceOrderRequest[] = [];
  constructor(private readonly rules: MarketRules) {}
  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return Promise.resolve(ok([this.rules]));
  }
  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return Promise.resolve(ok([]));
  }
  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    this.placed.push(request);
    const limitPx = request.type === 'limit' ? request.limitPx : null;
    return Promise.resolve(ok({
      clientOrderId: request.clientOrderId, exchangeOrderId: `x-${this.placed.length}`, symbol: request.symbol, side: request.side, type: request.type,
      tif: request.tif, qty: request.qty, limitPx, status: 'filled', filledQty: request.qty,
      filledNotional: limitPx === null ? Decimal.ZERO : request.qty.mul(limitPx), avgPx: limitPx, fee: Decimal.ZERO,
      feeCurrency: this.rules.quoteAsset, createdAt: 0, updatedAt: 0,
    }));
  }
  fetchOrderByClientId(): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.reject(new Error('not used: every order fills at once'));
  }
  cancelOrder(): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.reject(new Error('not used: every order fills at once'));
  }
}

function harness(rules: MarketRules) {
  const logs = join(tempDir('tradetrace-exit-check-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
  const exchange = new FillingExchange(rules);
  const router = new OrderRouter({ exchange, recorder, markets: [rules], random: seededRandom(3), sleep: () => Promise.resolve() });
  /** The exit's pre-check and the router, on the same sell: what each decides. */
  const both = async (qty: Decimal, close: Decimal, slippageBps: number): Promise<{ check: ExitCheck; routed: OrderResult; placed: PlaceOrderRequest | undefined }> => {
    const sizing = exitSizing(qty, close, slippageBps);
    const check = checkExit(rules, sizing, null);
    const before = exchange.placed.length;
    const routed = await router.route({ ...sizing, intentId: newIntentId(), symbol: rules.symbol, tif: 'IOC', maxRetries: 0, retryBackoffMs: 0 });
    return { check, routed, placed: exchange.placed.length > before ? exchange.placed.at(-1) : undefined };
  };
  const orderLines = () => readFileSync(join(logs, 'orders.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { both, orderLines, recorder };
}

describe('the exit pre-check agrees with the router on the minimum order value', () => {
  it('at the boundary on BTC/USD: 0.001 BTC at 5009.5 is 4.9995 USD (held back), at 5010 exactly 5 USD (sent)', async () => {
    const h = harness(BTC_USD);
    // slippage 20 bps: a close of 5010 gives a sell limit of 4999.98, rounded up to the tick: 5000.
    const cases = [
      { close: '5009', limit: '4999', notional: '4.999', held: true },
      { close: '5009.5', limit: '4999.5', notional: '4.9995', held: true },
      { close: '5010', limit: '5000', notional: '5', held: false },
      { close: '5010.5', limit: '5000.5', notional: '5.0005', held: false },
    ];
    for (const c of cases) {
      const { check, routed, placed } = await h.both(d('0.001'), d(c.close), 20);
      expect({ close: c.close, limit: check.terms.limitPx.toString(), notional: check.terms.notional.toString() }).toEqual({ close: c.close, limit: c.limit, notional: c.notional });
      expect(check.code, c.close).toBe(c.held ? 'below_min_notional' : 'send');
      if (c.held) {
        expect(routed.ok ? 'sent' : routed.error.reason, c.close).toBe('min_notional');
        expect(placed, c.close).toBeUndefined();
        if (check.code === 'below_min_notional' && !routed.ok) expect(routed.error.message).toBe(`not sent: ${check.message}`);
      } else {
        expect(routed.ok, c.close).toBe(true);
        expect({ qty: placed?.qty.toString(), limit: placed?.type === 'limit' ? placed.limitPx.toString() : null }).toEqual({ qty: '0.001', limit: c.limit });
      }
    }
    // What the router recorded for each attempt is the order the pre-check priced.
    const contexts = h.orderLines().filter((l) => l['event_type'] === 'ORDER_CONTEXT');
    expect(contexts.map((l) => [l['limit_px'], l['notional'], l['min_notional']])).toEqual(cases.map((c) => [Number(c.limit), Number(c.notional), 5]));
    h.recorder.close();
  });

  it('agrees on any quantity, price and slippage, on both paper markets (lot rounding and tick rounding included)', async () => {
    for (const [rules, unit, closeRange] of [[BTC_USD, '0.0001', [1, 200_000]], [ALT_BTC, '1', [1, 500_000]]] as const) {
      const h = harness(rules);
      const lot = d(unit);
      const seen = { held: 0, sent: 0 };
      await fc.assert(
        fc.asyncProperty(
          // Quantities off the lot too: the router rounds them down, and so must the pre-check.
          fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: closeRange[0], max: closeRange[1] }), fc.integer({ min: 0, max: 200 }),
          async (lots, tenths, closeTicks, slippageBps) => {
            const qty = lot.mul(Decimal.from(lots)).add(lot.mul(Decimal.from(tenths)).div(Decimal.from(10)));
            const close = rules.tickSize.mul(Decimal.from(closeTicks));
            const { check, routed, placed } = await h.both(qty, close, slippageBps);
            const refused = !routed.ok && routed.error.reason === 'min_notional';
            expect(check.code === 'below_min_notional').toBe(refused);
            seen[refused ? 'held' : 'sent']++;
            if (placed) expect([placed.qty.toString(), placed.type === 'limit' ? placed.limitPx.toString() : '']).toEqual([check.terms.qty.toString(), check.terms.limitPx.toString()]);
          },
        ),
        { numRuns: 300, seed: 20220101 },
      );
      // Both sides of the minimum were drawn, or the property proved nothing.
      expect(seen.held, rules.symbol).toBeGreaterThan(20);
      expect(seen.sent, rules.symbol).toBeGreaterThan(20);
      h.recorder.close();
    }
  });

  it('holds back a quantity the market cannot trade at any price (a residue below the lot), as the router would refuse it', async () => {
    const h = harness(BTC_USD);
    for (const qty of ['0.00005', '0.00009']) {
      const { check, routed, placed } = await h.both(d(qty), d('1000000'), 20);
      expect(check.code, qty).toBe('below_min_qty');
      expect(routed.ok, qty).toBe(false);
      expect(placed, qty).toBeUndefined();
    }
    h.recorder.close();
  });

  it('holds back a sell worth no more than an order value already refused, and sends one worth more', () => {
    const sizing = (close: string) => exitSizing(d('0.002'), d(close), 0);
    expect(checkExit(BTC_USD, sizing('3000'), d('6')).code).toBe('not_above_refused');
    expect(checkExit(BTC_USD, sizing('3000'), d('5.999')).code).toBe('send');
    expect(checkExit(BTC_USD, sizing('3000'), null).code).toBe('send');
  });
});
