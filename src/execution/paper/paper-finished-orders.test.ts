import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import type { ExchangeResult } from '../exchange-error.js';
import type { ExchangeOrder, PlaceOrderRequest } from '../exchange.js';
import { candleAt, loadRealMarkets, type RealMarket } from '../testing/paper-markets.js';
import { PaperExchange, RECENTLY_FINISHED } from './paper-exchange.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON) : null;
const d = (text: string): Decimal => Decimal.parse(text);
const MINUTE = 60_000;
const SYMBOL = 'BTC/USD';

function value<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Every field as exact text, so a Decimal read back from the file compares by value and scale alike. */
function text(order: ExchangeOrder): Record<string, unknown> {
  return Object.fromEntries(Object.entries(order).map(([k, v]) => [k, v instanceof Decimal ? v.toString() : v]));
}

/** One account stamped at the close of the bar being handled, as a paper session stamps it; `path` null keeps it in memory. */
class Account {
  private barClose = 0;
  readonly exchange: PaperExchange;
  constructor(readonly m: RealMarket, path: string | null) {
    this.exchange = new PaperExchange({
      markets: [{ rules: m.rules, candleVolumeIn: m.candleVolumeIn }], balances: m.balances, now: () => this.barClose, ...(path ? { state: { path } } : {}),
    });
  }
  feed(index: number): void {
    const candle = candleAt(this.m, index);
    this.barClose = candle.openTime + MINUTE;
    this.exchange.onCandle(SYMBOL, candle);
  }
  async fetch(clientOrderId: string): Promise<Record<string, unknown>> {
    return text(value(await this.exchange.fetchOrderByClientId(SYMBOL, clientOrderId)));
  }
}

/**
 * The same trading on candles 100..(100+bars): per candle a market buy and a market sell (filled);
 * every 25th candle a GTC buy far below the market that stays open, every 10th one a GTC buy canceled
 * at once and an IOC buy far below that expires. Returns the client order ids, in order.
 */
async function trade(account: Account, bars: number): Promise<{ ids: string[]; open: string[] }> {
  const ids: string[] = [];
  const open: string[] = [];
  const place = async (request: PlaceOrderRequest): Promise<void> => {
    value(await account.exchange.placeOrder(request));
    ids.push(request.clientOrderId);
  };
  for (let i = 0; i < bars; i++) {
    account.feed(100 + i);
    const far = candleAt(account.m, 100 + i).low.mul(d('0.5')).quantize(account.m.rules.tickSize, 'down');
    await place({ clientOrderId: `b_${i}`, symbol: SYMBOL, side: 'buy', type: 'market', qty: d('0.002'), tif: 'IOC' });
    await place({ clientOrderId: `s_${i}`, symbol: SYMBOL, side: 'sell', type: 'market', qty: d('0.001'), tif: 'IOC' });
    if (i % 25 === 0) {
      await place({ clientOrderId: `r_${i}`, symbol: SYMBOL, side: 'buy', type: 'limit', qty: d('0.001'), limitPx: far, tif: 'GTC' });
      open.push(`r_${i}`);
    }
    if (i % 10 === 0) {
      await place({ clientOrderId: `c_${i}`, symbol: SYMBOL, side: 'buy', type: 'limit', qty: d('0.001'), limitPx: far, tif: 'GTC' });
      value(await account.exchange.cancelOrder(SYMBOL, `c_${i}`));
      await place({ clientOrderId: `x_${i}`, symbol: SYMBOL, side: 'buy', type: 'limit', qty: d('0.001'), limitPx: far, tif: 'IOC' });
    }
  }
  return { ids, open };
}

describe.runIf(available)('a paper exchange with a state file keeps only open and recently finished orders in memory (real BTC-PERP candles)', () => {
  const BARS = 400;

  it('stays bounded over many finished orders, and answers about each one exactly as an account that keeps every order in memory', async () => {
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const onFile = new Account(markets!.btc, path);
    const inMemory = new Account(markets!.btc, null);
    const { ids, open } = await trade(onFile, BARS);
    await trade(inMemory, BARS);
    expect(ids.length).toBeGreaterThan(2 * RECENTLY_FINISHED);

    expect(onFile.exchange.ordersInMemory).toBeLessThanOrEqual(open.length + RECENTLY_FINISHED);
    // Without a file, memory is the only record: it keeps every order, as the exchange always did.
    expect(inMemory.exchange.ordersInMemory).toBe(ids.length);

    const statuses = new Set<unknown>();
    for (const id of ids) {
      const answer = await onFile.fetch(id);
      statuses.add(answer.status);
      expect(answer, id).toEqual(await inMemory.fetch(id));
      // A cancel of a finished order changes nothing and answers the order as it is.
      expect(text(value(await onFile.exchange.cancelOrder(SYMBOL, id))), id).toEqual(text(value(await inMemory.exchange.cancelOrder(SYMBOL, id))));
      expect(onFile.exchange.peekOrder(id), id).toEqual(inMemory.exchange.peekOrder(id));
    }
    expect([...statuses].sort()).toEqual(['canceled', 'expired', 'filled', 'submitted']);
    expect(onFile.exchange.ordersInMemory).toBeLessThanOrEqual(open.length + RECENTLY_FINISHED);
    expect(value(await onFile.exchange.balances())).toEqual(value(await inMemory.exchange.balances()));

    // A client order id is used once, also after its order left memory.
    const again = await onFile.exchange.placeOrder({ clientOrderId: 'b_0', symbol: SYMBOL, side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' });
    expect(again.ok ? 'ok' : again.error.code).toBe('duplicate_order');
    const wrongSymbol = await onFile.exchange.fetchOrderByClientId('ETH/USD', 'b_0');
    expect(wrongSymbol.ok ? 'ok' : wrongSymbol.error.code).toBe('not_found');
    onFile.exchange.close();
  });

  it('loads only the open orders at a restart, keeps exchange order ids unique, and still answers about every finished order', async () => {
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const first = new Account(markets!.btc, path);
    const { ids, open } = await trade(first, BARS);
    const before = new Map<string, Record<string, unknown>>();
    for (const id of ids) before.set(id, await first.fetch(id));
    first.exchange.close();

    const second = new Account(markets!.btc, path);
    expect(second.exchange.ordersInMemory).toBe(open.length);
    for (const id of ids) expect(await second.fetch(id), id).toEqual(before.get(id));
    expect(second.exchange.ordersInMemory).toBe(open.length);

    second.feed(100 + BARS);
    const fresh = value(await second.exchange.placeOrder({ clientOrderId: 'n_1', symbol: SYMBOL, side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' }));
    expect(fresh.exchangeOrderId).toBe(`paper-${ids.length + 1}`);
    const reused = await second.exchange.placeOrder({ clientOrderId: ids[0]!, symbol: SYMBOL, side: 'buy', type: 'market', qty: d('0.001'), tif: 'IOC' });
    expect(reused.ok ? 'ok' : reused.error.code).toBe('duplicate_order');
    // The reloaded book is still the book: a resting order is canceled and leaves it.
    expect(value(await second.exchange.cancelOrder(SYMBOL, open[0]!)).status).toBe('canceled');
    second.exchange.close();
  });

  it('reports a finished order whose row is damaged when it is read, and stops, as it refuses such a file at open', async () => {
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const first = new Account(markets!.btc, path);
    await trade(first, 3);
    first.exchange.close();
    const db = new Database(path);
    db.exec("UPDATE orders SET fee = '-1' WHERE client_order_id = 'b_1'");
    db.close();

    const second = new Account(markets!.btc, path);
    const answer = await second.exchange.fetchOrderByClientId(SYMBOL, 'b_1');
    expect(answer.ok ? 'ok' : [answer.error.code, answer.error.message]).toEqual([
      'unavailable', expect.stringMatching(/order seq \d+ \("b_1"\), column fee: found "-1", expected a decimal >= 0/),
    ]);
    const later = await second.exchange.fetchOrderByClientId(SYMBOL, 'b_0');
    expect(later.ok ? 'ok' : later.error.code).toBe('unavailable');
    expect(() => second.feed(103)).toThrow(/column fee: found "-1"/);
    second.exchange.close();
  });
});
