import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import type { ExchangeResult } from '../exchange-error.js';
import type { ExchangeOrder } from '../exchange.js';
import { candleAt, loadRealMarkets, type RealMarket } from '../testing/paper-markets.js';
import { PaperExchange } from './paper-exchange.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON) : null;
const MINUTE = 60_000;
const SYMBOL = 'UNITTEST/BTC';

function value<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/**
 * A persistent account stamped as a paper session stamps it: at the close of the bar being handled
 * (`feed` moves that clock; `at` sets it for calls made between bars).
 */
class Account {
  private barClose = 0;
  readonly exchange: PaperExchange;
  constructor(readonly m: RealMarket, readonly path: string) {
    this.exchange = new PaperExchange({
      markets: [{ rules: m.rules, candleVolumeIn: m.candleVolumeIn }], balances: m.balances, state: { path }, now: () => this.barClose,
    });
  }
  feed(from: number, to: number): void {
    for (let i = from; i <= to; i++) {
      const candle = candleAt(this.m, i);
      this.barClose = candle.openTime + MINUTE;
      this.exchange.onCandle(SYMBOL, candle);
    }
  }
  at(time: number): void {
    this.barClose = time;
  }
  async order(clientOrderId: string): Promise<ExchangeOrder> {
    return value(await this.exchange.fetchOrderByClientId(SYMBOL, clientOrderId));
  }
}

function stamps(path: string, clientOrderId: string): { created: number; updated: number } {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare('SELECT created_at, updated_at FROM orders WHERE client_order_id = ?').get(clientOrderId) as { created_at: number; updated_at: number };
    return { created: row.created_at, updated: row.updated_at };
  } finally {
    db.close();
  }
}

describe.runIf(available)('a reopened paper exchange fed candles from before its orders (real UNITTEST/BTC candles)', () => {
  it('does not fill a resting order on a candle that opened before the order was placed; it fills on the first crossing one after', async () => {
    const m = markets!.alt;
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const at = 50;
    const lowest = m.candles.slice(at - 10, at).reduce((low, c) => Decimal.min(low, c.low), candleAt(m, at - 10).low);
    // A resting buy that the ten minutes before it traded through, and its own minute did not reach.
    const limit = lowest.add(m.rules.tickSize);
    expect(limit.lt(candleAt(m, at).close)).toBe(true);
    // The first later minute through the limit with volume for all of it (the account takes a tenth).
    const qty = Decimal.parse('5');
    const hit = m.candles.findIndex((c, i) => i > at && c.low.lt(limit) && c.volume.gte(qty.mul(Decimal.parse('10'))));
    expect(hit).toBeGreaterThan(at + 1);

    const first = new Account(m, path);
    first.feed(at - 3, at);
    const placed = value(await first.exchange.placeOrder({ clientOrderId: 'hist_buy', symbol: SYMBOL, side: 'buy', type: 'limit', qty, limitPx: limit, tif: 'GTC' }));
    expect(placed).toMatchObject({ status: 'submitted', createdAt: candleAt(m, at).openTime + MINUTE });
    first.exchange.close();

    // A restarted replay starts its file over: the reopened exchange has no candle to refuse these by.
    const second = new Account(m, path);
    second.feed(0, at);
    expect((await second.order('hist_buy')).filledQty.toString()).toBe('0');
    second.feed(at + 1, hit - 1);
    expect((await second.order('hist_buy')).status).toBe('submitted');
    second.feed(hit, hit);
    const filled = await second.order('hist_buy');
    expect(filled.status).toBe('filled');
    expect(filled.avgPx?.toString()).toBe(limit.toString());
    second.exchange.close();
    expect(stamps(path, 'hist_buy')).toEqual({ created: placed.createdAt, updated: candleAt(m, hit).openTime + MINUTE });
  });

  it('does not match a candle twice: fed again after a reopen, the candle that partly filled an order adds nothing', async () => {
    const m = markets!.alt;
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const at = 50;
    const limit = candleAt(m, at).close.mul(Decimal.parse('1.01')).quantize(m.rules.tickSize, 'up');
    // More than the next crossing minutes can fill, so the order stays open across them.
    const qty = Decimal.parse('300');
    const first = new Account(m, path);
    first.feed(at - 3, at);
    value(await first.exchange.placeOrder({ clientOrderId: 'part_buy', symbol: SYMBOL, side: 'buy', type: 'limit', qty, limitPx: limit, tif: 'GTC' }));
    const placed = await first.order('part_buy');
    let next = at + 1;
    while ((await first.order('part_buy')).filledQty.eq(placed.filledQty)) first.feed(next, next++);
    const matched = next - 1;
    const partly = await first.order('part_buy');
    expect(partly.status).toBe('partially_filled');
    first.exchange.close();

    // Killed after the exchange saw the candle and before the bot recorded it: the restart feeds it again.
    const second = new Account(m, path);
    second.feed(matched, matched);
    expect((await second.order('part_buy')).filledQty.toString()).toBe(partly.filledQty.toString());
    const hit = m.candles.findIndex((c, i) => i > matched && c.low.lt(limit) && c.volume.gte(Decimal.parse('20')));
    second.feed(matched + 1, hit);
    expect((await second.order('part_buy')).filledQty.gt(partly.filledQty)).toBe(true);
    second.exchange.close();
  });

  it('never dates a change before the order existed, even when the caller\'s clock is behind it', async () => {
    const m = markets!.alt;
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const at = 50;
    const first = new Account(m, path);
    first.feed(at - 3, at);
    const limit = candleAt(m, at).close.div(Decimal.parse('2'), 18, 'down').quantize(m.rules.tickSize, 'down');
    const placed = value(await first.exchange.placeOrder({ clientOrderId: 'late_cxl', symbol: SYMBOL, side: 'buy', type: 'limit', qty: Decimal.parse('5'), limitPx: limit, tif: 'GTC' }));
    first.exchange.close();

    // A restarted bot cancels at its resume point, which may lie before the last order it sent.
    const second = new Account(m, path);
    second.at(placed.createdAt - 5 * MINUTE);
    expect(value(await second.exchange.cancelOrder(SYMBOL, 'late_cxl')).status).toBe('canceled');
    second.exchange.close();
    expect(stamps(path, 'late_cxl')).toEqual({ created: placed.createdAt, updated: placed.createdAt });
  });
});
