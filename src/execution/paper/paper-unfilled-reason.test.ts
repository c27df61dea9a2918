import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import type { ExchangeResult } from '../exchange-error.js';
import type { PlaceOrderRequest } from '../exchange.js';
import { candleAt, loadRealMarkets, type RealMarket } from '../testing/paper-markets.js';
import { PaperExchange } from './paper-exchange.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON, 50) : null;
const d = (text: string): Decimal => Decimal.parse(text);

/** UNITTEST/BTC minute 7 traded 3 units: a tenth of it is no whole lot. Minute 8 traded more. */
const THIN = 7;
const TRADED = 8;

function value<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function openOn(m: RealMarket, path: string): PaperExchange {
  return new PaperExchange({ markets: [{ rules: m.rules, candleVolumeIn: m.candleVolumeIn }], balances: m.balances, state: { path } });
}

function ioc(m: RealMarket, id: string, limitPx: Decimal): PlaceOrderRequest {
  return { clientOrderId: id, symbol: m.rules.symbol, side: 'buy', type: 'limit', tif: 'IOC', qty: d('5'), limitPx };
}

// The router fails an IOC that filled nothing as slippage or no_liquidity by what the exchange
// answers: the paper exchange says which, and keeps saying it for an order read back from its file.
describe.runIf(available)('a paper IOC order that expired with nothing filled (real UNITTEST/BTC minutes)', () => {
  const alt = () => markets!.alt;

  it('says whether its limit was beyond the market or the minute had no volume for it, in memory and from the file', async () => {
    const path = join(tempDir('tt-paper-unfilled-'), 'paper.sqlite');
    const paper = openOn(alt(), path);
    paper.onCandle(alt().rules.symbol, candleAt(alt(), THIN));
    const thin = value(await paper.placeOrder(ioc(alt(), 'thin-1', candleAt(alt(), THIN).close.mul(d('1.01')).quantize(alt().rules.tickSize, 'up'))));
    paper.onCandle(alt().rules.symbol, candleAt(alt(), TRADED));
    const far = value(await paper.placeOrder(ioc(alt(), 'far-1', candleAt(alt(), TRADED).close.mul(d('0.98')).quantize(alt().rules.tickSize, 'down'))));
    const filled = value(await paper.placeOrder(ioc(alt(), 'fill-1', candleAt(alt(), TRADED).close.mul(d('1.01')).quantize(alt().rules.tickSize, 'up'))));
    expect([thin.status, thin.unfilledBecause]).toEqual(['expired', 'no_liquidity']);
    expect([far.status, far.unfilledBecause]).toEqual(['expired', 'beyond_limit']);
    expect(filled.filledQty.isPositive()).toBe(true);
    expect(filled.unfilledBecause).toBeUndefined();
    paper.close();

    const reopened = openOn(alt(), path);
    expect(value(await reopened.fetchOrderByClientId(alt().rules.symbol, 'thin-1')).unfilledBecause).toBe('no_liquidity');
    expect(value(await reopened.fetchOrderByClientId(alt().rules.symbol, 'far-1')).unfilledBecause).toBe('beyond_limit');
    expect(value(await reopened.fetchOrderByClientId(alt().rules.symbol, 'fill-1')).unfilledBecause).toBeUndefined();
    reopened.close();
  });

  it('opens a file made before the column was added, and keeps its orders', async () => {
    const path = join(tempDir('tt-paper-unfilled-old-'), 'paper.sqlite');
    const paper = openOn(alt(), path);
    paper.onCandle(alt().rules.symbol, candleAt(alt(), THIN));
    value(await paper.placeOrder(ioc(alt(), 'old-1', candleAt(alt(), THIN).close.mul(d('1.01')).quantize(alt().rules.tickSize, 'up'))));
    paper.close();
    const raw = new Database(path);
    raw.exec('ALTER TABLE orders DROP COLUMN unfilled_because');
    raw.close();

    const reopened = openOn(alt(), path);
    const old = value(await reopened.fetchOrderByClientId(alt().rules.symbol, 'old-1'));
    expect([old.status, old.unfilledBecause]).toEqual(['expired', undefined]);
    reopened.onCandle(alt().rules.symbol, candleAt(alt(), THIN + 1));
    const next = value(await reopened.placeOrder(ioc(alt(), 'new-1', candleAt(alt(), THIN + 1).close.mul(d('0.98')).quantize(alt().rules.tickSize, 'down'))));
    expect(next.unfilledBecause).toBe('beyond_limit');
    reopened.close();
  });
});
