import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { Decimal } from '../../domain/decimal.js';
import type { ExchangeResult } from '../exchange-error.js';
import type { ExchangeOrder, PlaceOrderRequest } from '../exchange.js';
import { PaperExchange } from './paper-exchange.js';
import { runExchangeContract } from '../exchange-contract.js';
import { candleAt, loadRealMarkets, paperOn, type RealMarket } from '../testing/paper-markets.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON) : null;

function contractFor(name: string, market: () => RealMarket, at: number): void {
  let ids = 0;
  runExchangeContract(`paper ${name} from candle ${at}`, () => {
    const m = market();
    const exchange = paperOn(m, at);
    const candle = candleAt(m, at);
    return Promise.resolve({
      exchange,
      symbol: m.rules.symbol,
      restingBuyPx: () => Promise.resolve(candle.low.div(Decimal.parse('2'), 18, 'down').quantize(m.rules.tickSize, 'down')),
      marketableBuyPx: () => Promise.resolve(candle.close.mul(Decimal.parse('1.01')).quantize(m.rules.tickSize, 'up')),
      newClientOrderId: (label: string) => `ct_${label}_${++ids}`,
    });
  });
}

describe.runIf(available)('PaperExchange on BTC-PERP candles (~40,000 USD)', () => {
  contractFor('BTC/USD', () => markets!.btc, 100);
});

describe.runIf(available)('PaperExchange on the altcoin candles (~0.0016 BTC)', () => {
  contractFor('UNITTEST/BTC', () => markets!.alt, 100);
});

const d = (text: string) => Decimal.parse(text);

function value<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function feed(exchange: PaperExchange, market: RealMarket, from: number, to: number): void {
  for (let i = from; i <= to; i++) exchange.onCandle(market.rules.symbol, candleAt(market, i));
}

async function freeOf(exchange: PaperExchange, asset: string): Promise<Decimal> {
  return value(await exchange.balances()).find((b) => b.asset === asset)?.free ?? Decimal.ZERO;
}

describe.runIf(available)('PaperExchange fills on real candles', () => {
  it('rests a GTC buy until a later candle goes through its limit, then fills it at the limit as maker', async () => {
    const m = markets!.btc;
    const at = 200;
    const limit = candleAt(m, at).close.sub(d('150'));
    let hit = -1;
    for (let j = at + 1; j < m.candles.length; j++) {
      if (candleAt(m, j).low.lt(limit)) {
        hit = j;
        break;
      }
    }
    expect(hit, 'a later candle trades below the limit').toBeGreaterThan(at + 1);
    const exchange = paperOn(m, at);
    const req: PlaceOrderRequest = { clientOrderId: 'gtc_1', symbol: 'BTC/USD', side: 'buy', type: 'limit', qty: d('0.01'), limitPx: limit, tif: 'GTC' };
    expect(value(await exchange.placeOrder(req)).status).toBe('submitted');
    feed(exchange, m, at + 1, hit - 1);
    expect(value(await exchange.fetchOrderByClientId('BTC/USD', 'gtc_1')).status).toBe('submitted');
    feed(exchange, m, hit, hit);
    const filled = value(await exchange.fetchOrderByClientId('BTC/USD', 'gtc_1'));
    expect(filled.status).toBe('filled');
    expect(filled.avgPx?.toString()).toBe(limit.toString());
    expect(filled.fee.eq(d('0.01').mul(limit).mul(m.rules.makerFeeRate))).toBe(true);
    expect((await freeOf(exchange, 'USD')).eq(d('100000').sub(d('0.01').mul(limit)).sub(filled.fee))).toBe(true);
    expect((await freeOf(exchange, 'BTC')).toString()).toBe('2.01');
  });

  it('partly fills an IOC in a thin altcoin minute and expires the rest, releasing its funds', async () => {
    const m = markets!.alt;
    const thin = m.candles.findIndex((c, i) => i > 10 && c.volume.gte(d('10')) && c.volume.lt(d('20')));
    expect(thin).toBeGreaterThan(10);
    const candle = candleAt(m, thin);
    const exchange = paperOn(m, thin);
    const limit = candle.close.mul(d('1.01')).quantize(m.rules.tickSize, 'up');
    const order = value(await exchange.placeOrder({ clientOrderId: 'ioc_thin', symbol: 'UNITTEST/BTC', side: 'buy', type: 'limit', qty: d('40'), limitPx: limit, tif: 'IOC' }));
    // 10% of 10..20 units traded: exactly one whole unit is available to us.
    expect(order.status).toBe('expired');
    expect(order.filledQty.toString()).toBe('1');
    expect(order.avgPx!.gte(candle.low) && order.avgPx!.lte(candle.high)).toBe(true);
    expect(order.fee.eq(order.avgPx!.mul(m.rules.takerFeeRate))).toBe(true);
    const balances = value(await exchange.balances());
    expect(balances.find((b) => b.asset === 'BTC')).toEqual({ asset: 'BTC', free: d('1').sub(order.avgPx!).sub(order.fee), locked: Decimal.ZERO });
    expect(balances.find((b) => b.asset === 'UNITTEST')?.free.toString()).toBe('10001');
  });

  it('fills a FOK wholly or not at all', async () => {
    const m = markets!.alt;
    const thin = m.candles.findIndex((c, i) => i > 10 && c.volume.gte(d('10')) && c.volume.lt(d('20')));
    const exchange = paperOn(m, thin);
    const limit = candleAt(m, thin).close.mul(d('1.01')).quantize(m.rules.tickSize, 'up');
    const big = value(await exchange.placeOrder({ clientOrderId: 'fok_big', symbol: 'UNITTEST/BTC', side: 'buy', type: 'limit', qty: d('5'), limitPx: limit, tif: 'FOK' }));
    expect(big.status).toBe('expired');
    expect(big.filledQty.isZero()).toBe(true);
    expect((await freeOf(exchange, 'BTC')).toString()).toBe('1');
    const small = value(await exchange.placeOrder({ clientOrderId: 'fok_small', symbol: 'UNITTEST/BTC', side: 'buy', type: 'limit', qty: d('1'), limitPx: limit, tif: 'FOK' }));
    expect(small.status).toBe('filled');
  });

  it('keeps a GTC remainder open after a thin minute and fills it when later candles cross', async () => {
    const m = markets!.alt;
    const thin = m.candles.findIndex((c, i) => i > 10 && c.volume.gte(d('10')) && c.volume.lt(d('20')));
    const exchange = paperOn(m, thin);
    const limit = candleAt(m, thin).close.mul(d('1.2')).quantize(m.rules.tickSize, 'up');
    const first = value(await exchange.placeOrder({ clientOrderId: 'gtc_thin', symbol: 'UNITTEST/BTC', side: 'buy', type: 'limit', qty: d('30'), limitPx: limit, tif: 'GTC' }));
    expect(first.status).toBe('partially_filled');
    expect(first.filledQty.toString()).toBe('1');
    feed(exchange, m, thin + 1, thin + 40);
    const later = value(await exchange.fetchOrderByClientId('UNITTEST/BTC', 'gtc_thin'));
    expect(later.filledQty.gt(first.filledQty)).toBe(true);
    expect(later.avgPx!.lte(limit)).toBe(true);
  });

  it('leaves a non-marketable IOC unfilled', async () => {
    const m = markets!.btc;
    const exchange = paperOn(m, 300);
    const limit = candleAt(m, 300).close.sub(d('100'));
    const order = value(await exchange.placeOrder({ clientOrderId: 'ioc_far', symbol: 'BTC/USD', side: 'buy', type: 'limit', qty: d('0.01'), limitPx: limit, tif: 'IOC' }));
    expect(order).toMatchObject({ status: 'expired', avgPx: null });
    expect(order.filledQty.isZero() && order.fee.isZero()).toBe(true);
    expect((await freeOf(exchange, 'USD')).toString()).toBe('100000');
  });

  it('fills market orders inside each candle range, slipped against the taker', async () => {
    const m = markets!.btc;
    const exchange = paperOn(m, 10);
    for (let i = 11; i < 411; i++) {
      feed(exchange, m, i, i);
      const c = candleAt(m, i);
      const side = i % 2 === 0 ? 'buy' : 'sell';
      const order: ExchangeOrder = value(await exchange.placeOrder({ clientOrderId: `mkt_${i}`, symbol: 'BTC/USD', side, type: 'market', qty: d('0.001'), tif: 'IOC' }));
      expect(order.filledQty.toString()).toBe('0.001');
      const px = order.avgPx!;
      expect(px.gte(c.low) && px.lte(c.high), `candle ${i}`).toBe(true);
      expect(side === 'buy' ? px.gte(c.close) || px.eq(c.high) : px.lte(c.close) || px.eq(c.low)).toBe(true);
      expect(px.sub(c.close).abs().lte(c.close.mul(d('0.0005')).add(m.rules.tickSize))).toBe(true);
      expect(order.fee.eq(px.mul(d('0.001')).mul(m.rules.takerFeeRate))).toBe(true);
    }
  });

  it('refuses what a real exchange refuses', async () => {
    const m = markets!.btc;
    const empty = new PaperExchange({ markets: [{ rules: m.rules }], balances: {} });
    const noData = await empty.placeOrder({ clientOrderId: 'x1', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' });
    expect(noData.ok ? '' : noData.error.code).toBe('unavailable');
    const exchange = paperOn(m, 20);
    const gtcMarket = await exchange.placeOrder({ clientOrderId: 'x2', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.001'), tif: 'GTC' as 'IOC' });
    expect(gtcMarket.ok ? '' : gtcMarket.error.code).toBe('invalid_order');
    const badId = await exchange.placeOrder({ clientOrderId: 'has space', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' });
    expect(badId.ok ? '' : badId.error.message).toMatch(/client order id "has space": expected 1-36/);
    expect(() => exchange.onCandle('ETH/USD', candleAt(m, 21))).toThrow(/unknown symbol "ETH\/USD"/);
    expect(() => exchange.onCandle('BTC/USD', candleAt(m, 3))).toThrow(/is not after the previous one/);
  });
});

describe.runIf(available)('PaperExchange fault injection', () => {
  const market = () => markets!.btc;
  const ioc = (id: string): PlaceOrderRequest => ({ clientOrderId: id, symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' });

  it('a timeout after the exchange got the order leaves the order there; one before leaves nothing', async () => {
    const exchange = paperOn(market(), 50, { faults: { script: { placeOrder: ['timeout_reached', 'timeout_lost', 'connect_timeout'] } } });
    const reached = await exchange.placeOrder(ioc('t_reached'));
    expect(reached).toMatchObject({ ok: false, error: { code: 'timeout', retryable: true, mayHaveReached: true } });
    expect(value(await exchange.fetchOrderByClientId('BTC/USD', 't_reached')).status).toBe('filled');
    const lost = await exchange.placeOrder(ioc('t_lost'));
    expect(lost).toMatchObject({ ok: false, error: { code: 'timeout', mayHaveReached: true } });
    expect((await exchange.fetchOrderByClientId('BTC/USD', 't_lost')).ok).toBe(false);
    const connect = await exchange.placeOrder(ioc('t_connect'));
    expect(connect).toMatchObject({ ok: false, error: { code: 'timeout', mayHaveReached: false } });
    expect(value(await exchange.placeOrder(ioc('t_after'))).status).toBe('filled');
  });

  it('reports each kind with its code and retryability, credentials stripped from the message', async () => {
    const exchange = paperOn(market(), 50, { faults: { script: { placeOrder: ['rejected', 'rate_limited', 'network', 'unavailable'] }, retryAfterMs: 250 } });
    const expected = [
      { code: 'rejected', retryable: false },
      { code: 'rate_limited', retryable: true, retryAfterMs: 250 },
      { code: 'network', retryable: true },
      { code: 'unavailable', retryable: true },
    ];
    for (const [i, shape] of expected.entries()) {
      const result = await exchange.placeOrder(ioc(`k_${i}`));
      expect(result).toMatchObject({ ok: false, error: shape });
      const message = result.ok ? '' : result.error.message;
      expect(message).toContain('apiKey=[REDACTED]');
      expect(message).not.toContain('paper-api-key-3f9a7c');
      expect(message).not.toContain('9c1f2e7d5a0b44e1');
    }
    expect((await exchange.fetchOrderByClientId('BTC/USD', 'k_0')).ok).toBe(false);
  });

  it('draws the same faults from the same seed, and others from another seed', async () => {
    const run = async (seed: number) => {
      const exchange = paperOn(market(), 50, { faults: { seed, rates: { timeout_reached: 0.1, timeout_lost: 0.1, rate_limited: 0.1, network: 0.1 } } });
      const codes: string[] = [];
      for (let i = 0; i < 200; i++) {
        const result = await exchange.placeOrder(ioc(`s_${i}`));
        codes.push(result.ok ? 'ok' : result.error.code);
      }
      return { codes, injected: exchange.faults.injected.map((f) => f.kind) };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a).toEqual(b);
    expect(a.codes).not.toEqual(c.codes);
    const faults = a.codes.filter((x) => x !== 'ok').length;
    expect(faults).toBeGreaterThan(50);
    expect(faults).toBeLessThan(110);
    expect(new Set(a.injected)).toEqual(new Set(['timeout_reached', 'timeout_lost', 'rate_limited', 'network']));
  });

  it('adds the configured latency to each call', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const exchange = paperOn(market(), 50, { faults: { latencyMs: { min: 3, max: 9 } }, sleep });
    const started = performance.now();
    await exchange.placeOrder(ioc('lat_1'));
    await exchange.balances();
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w >= 3 && w <= 9).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(waits[0]! + waits[1]! - 2);
    expect(() => paperOn(market(), 50, { faults: { rates: { network: 2 } } })).toThrow(/network=2: expected a probability/);
  });

  it('times a call out at the request deadline when its latency runs past it, the order placed and its answer lost', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const exchange = paperOn(market(), 50, { faults: { latencyMs: { min: 7000, max: 7000 }, requestTimeoutMs: 5000 }, sleep });
    const placed = await exchange.placeOrder(ioc('slow_1'));
    expect(placed.ok).toBe(false);
    if (placed.ok) return;
    expect(placed.error).toMatchObject({ code: 'timeout', mayHaveReached: true });
    expect(placed.error.message).toMatch(/^request timed out after 5000ms /);
    expect(waits).toEqual([5000]);
    // The exchange did the work: the order is there, as it would be on a real one.
    expect(exchange.peekOrder('slow_1')?.status).toBe('filled');
    const quick = paperOn(market(), 50, { faults: { latencyMs: { min: 4000, max: 4000 }, requestTimeoutMs: 5000 }, sleep });
    expect((await quick.placeOrder(ioc('quick_1'))).ok).toBe(true);
  });
});
