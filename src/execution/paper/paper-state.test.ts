import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { runExchangeContract } from '../exchange-contract.js';
import type { ExchangeResult } from '../exchange-error.js';
import type { Balance, ExchangeOrder, PlaceOrderRequest } from '../exchange.js';
import { candleAt, loadRealMarkets, type RealMarket } from '../testing/paper-markets.js';
import { PaperExchange } from './paper-exchange.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON) : null;
const d = (text: string): Decimal => Decimal.parse(text);

function value<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A persistent paper account on one real market; `balances` are used only if the file is new. */
function openOn(m: RealMarket, path: string, balances: Readonly<Record<string, Decimal>> = m.balances): PaperExchange {
  return new PaperExchange({ markets: [{ rules: m.rules, candleVolumeIn: m.candleVolumeIn }], balances, state: { path } });
}

function feed(exchange: PaperExchange, m: RealMarket, from: number, to: number): void {
  for (let i = from; i <= to; i++) exchange.onCandle(m.rules.symbol, candleAt(m, i));
}

/** Orders and balances as exact text, so a reloaded Decimal compares by value and scale alike. */
function text(order: ExchangeOrder | undefined): Record<string, unknown> {
  if (!order) return {};
  return Object.fromEntries(Object.entries(order).map(([k, v]) => [k, v instanceof Decimal ? v.toString() : v]));
}
function balanceText(balances: readonly Balance[]): string[] {
  return balances.map((b) => `${b.asset} free=${b.free.toString()} locked=${b.locked.toString()}`);
}

function firstCrossingBelow(m: RealMarket, after: number, limit: Decimal): number {
  for (let j = after + 1; j < m.candles.length; j++) if (candleAt(m, j).low.lt(limit)) return j;
  throw new Error(`no candle after ${after} trades below ${limit.toString()}`);
}

describe.runIf(available)('PaperExchange with a state file: what one instance did, the next one on the file finds', () => {
  it('reopens with every order (same status, fills, fees, ids) and the same balances; the file wins over configured balances', async () => {
    const m = markets!.btc;
    const path = join(tempDir(), 'data', 'paper-exchange.sqlite');
    const at = 200;
    const first = openOn(m, path);
    expect(first.stateFile).toEqual({ path, created: true });
    feed(first, m, at - 3, at);
    const close = candleAt(m, at).close;
    const restingPx = close.sub(d('150'));
    const place = async (request: PlaceOrderRequest) => value(await first.placeOrder(request));
    const ioc = await place({ clientOrderId: 'p_ioc', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.05'), tif: 'IOC' });
    const rest = await place({ clientOrderId: 'p_rest', symbol: 'BTC/USD', side: 'buy', type: 'limit', qty: d('0.02'), limitPx: restingPx, tif: 'GTC' });
    const sell = await place({ clientOrderId: 'p_sell', symbol: 'BTC/USD', side: 'sell', type: 'limit', qty: d('0.3'), limitPx: close.mul(d('2')).quantize(m.rules.tickSize, 'up'), tif: 'GTC' });
    await place({ clientOrderId: 'p_cxl', symbol: 'BTC/USD', side: 'buy', type: 'limit', qty: d('0.01'), limitPx: restingPx, tif: 'GTC' });
    const canceled = value(await first.cancelOrder('BTC/USD', 'p_cxl'));
    const far = await place({ clientOrderId: 'p_far', symbol: 'BTC/USD', side: 'buy', type: 'limit', qty: d('0.01'), limitPx: restingPx, tif: 'IOC' });
    expect([ioc.status, rest.status, sell.status, canceled.status, far.status]).toEqual(['filled', 'submitted', 'submitted', 'canceled', 'expired']);
    const balancesBefore = value(await first.balances());
    expect(balancesBefore.find((b) => b.asset === 'BTC')?.locked.toString()).toBe('0.3');
    first.close();

    // Other configured balances: a real account's balance does not follow the config file.
    const second = openOn(m, path, { USD: d('1'), BTC: d('0') });
    expect(second.stateFile).toEqual({ path, created: false });
    for (const order of [ioc, rest, sell, canceled, far]) {
      expect(text(value(await second.fetchOrderByClientId('BTC/USD', order.clientOrderId))), order.clientOrderId).toEqual(text(order));
    }
    expect(balanceText(value(await second.balances()))).toEqual(balanceText(balancesBefore));
    expect((await second.fetchOrderByClientId('BTC/USD', 'p_never')).ok).toBe(false);

    // The resting GTC still rests: it fills at its limit, as maker, on the first later candle through it.
    const hit = firstCrossingBelow(m, at, restingPx);
    feed(second, m, at + 1, hit - 1);
    expect(value(await second.fetchOrderByClientId('BTC/USD', 'p_rest')).status).toBe('submitted');
    feed(second, m, hit, hit);
    const filled = value(await second.fetchOrderByClientId('BTC/USD', 'p_rest'));
    expect(filled).toMatchObject({ status: 'filled', exchangeOrderId: rest.exchangeOrderId });
    expect(filled.avgPx?.toString()).toBe(restingPx.toString());
    const usdBefore = balancesBefore.find((b) => b.asset === 'USD')!;
    const usdAfter = value(await second.balances()).find((b) => b.asset === 'USD')!;
    const cost = d('0.02').mul(restingPx);
    expect(usdAfter.free.add(usdAfter.locked).toString()).toBe(usdBefore.free.add(usdBefore.locked).sub(cost).sub(cost.mul(m.rules.makerFeeRate)).toString());

    // A used client order id stays used, whatever its state; new orders get new exchange ids.
    for (const id of ['p_ioc', 'p_rest', 'p_sell', 'p_cxl', 'p_far']) {
      const again = await second.placeOrder({ clientOrderId: id, symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' });
      expect(again.ok ? 'ok' : again.error.code, id).toBe('duplicate_order');
    }
    const fresh = value(await second.placeOrder({ clientOrderId: 'p_new', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' }));
    expect(fresh.exchangeOrderId).toBe('paper-6');
    second.close();

    // The fill that happened after the reopen is on disk too.
    const third = openOn(m, path);
    expect(text(value(await third.fetchOrderByClientId('BTC/USD', 'p_rest')))).toEqual(text(filled));
    expect(value(await third.fetchOrderByClientId('BTC/USD', 'p_new')).status).toBe(fresh.status);
    third.close();
  });

  it('keeps a partly filled GTC remainder open across a reopen, with its lock', async () => {
    const m = markets!.alt;
    const thin = m.candles.findIndex((c, i) => i > 10 && c.volume.gte(d('10')) && c.volume.lt(d('20')));
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const first = openOn(m, path);
    feed(first, m, thin - 2, thin);
    const limit = candleAt(m, thin).close.mul(d('1.2')).quantize(m.rules.tickSize, 'up');
    const placed = value(await first.placeOrder({ clientOrderId: 'alt_gtc', symbol: 'UNITTEST/BTC', side: 'buy', type: 'limit', qty: d('30'), limitPx: limit, tif: 'GTC' }));
    expect(placed).toMatchObject({ status: 'partially_filled' });
    const locked = value(await first.balances()).find((b) => b.asset === 'BTC')!.locked;
    expect(locked.isPositive()).toBe(true);
    first.close();

    const second = openOn(m, path);
    expect(text(value(await second.fetchOrderByClientId('UNITTEST/BTC', 'alt_gtc')))).toEqual(text(placed));
    expect(value(await second.balances()).find((b) => b.asset === 'BTC')!.locked.toString()).toBe(locked.toString());
    feed(second, m, thin + 1, thin + 40);
    const later = value(await second.fetchOrderByClientId('UNITTEST/BTC', 'alt_gtc'));
    expect(later.filledQty.gt(placed.filledQty)).toBe(true);
    expect(later.avgPx!.lte(limit)).toBe(true);
    second.close();
  });

  it('refuses a second instance on a file that is in use, and a closed instance answers unavailable', async () => {
    const m = markets!.btc;
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const first = openOn(m, path);
    expect(() => openOn(m, path)).toThrow(expect.objectContaining({ code: 'locked', retryable: true, message: expect.stringContaining(path) as string }) as Error);
    first.close();
    const balances = await first.balances();
    expect(balances.ok ? 'ok' : `${balances.error.code} ${balances.error.message}`).toMatch(/^unavailable paper exchange stopped: .*was closed/);
    expect(() => first.onCandle('BTC/USD', candleAt(m, 10))).toThrow(expect.objectContaining({ code: 'closed' }) as Error);
    const second = openOn(m, path);
    expect(second.stateFile?.created).toBe(false);
    second.close();
  });
});

/** The shared contract, against persistent instances: one on a new file, one reopened from a used file. */
function persistentContract(name: string, market: () => RealMarket, at: number, reopen: boolean): void {
  let ids = 0;
  runExchangeContract(`paper ${name}, ${reopen ? 'reopened from a used state file' : 'on a new state file'}`, () => {
    const m = market();
    const path = join(tempDir(), 'paper-exchange.sqlite');
    let exchange = openOn(m, path);
    feed(exchange, m, at - 5, at - 1);
    if (reopen) {
      exchange.close();
      exchange = openOn(m, path, {});
    }
    feed(exchange, m, at, at);
    const candle = candleAt(m, at);
    return Promise.resolve({
      exchange,
      symbol: m.rules.symbol,
      restingBuyPx: () => Promise.resolve(candle.low.div(d('2'), 18, 'down').quantize(m.rules.tickSize, 'down')),
      marketableBuyPx: () => Promise.resolve(candle.close.mul(d('1.01')).quantize(m.rules.tickSize, 'up')),
      newClientOrderId: (label: string) => `pc_${label}_${++ids}`,
      dispose: () => {
        exchange.close();
        return Promise.resolve();
      },
    });
  });
}

describe.runIf(available)('PaperExchange with a state file passes the exchange contract', () => {
  persistentContract('BTC/USD', () => markets!.btc, 100, false);
  persistentContract('UNITTEST/BTC', () => markets!.alt, 100, true);
});
