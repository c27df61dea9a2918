import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { recoverState } from '../../store/recover-state.js';
import { StateStore } from '../../store/state-store.js';
import type { FaultOptions } from './fault-injector.js';
import { candleAt, loadRealMarkets, type RealMarket } from '../testing/paper-markets.js';
import { PaperExchange } from './paper-exchange.js';

const available = sharedDataAvailable();
const d = (text: string): Decimal => Decimal.parse(text);

function openExchange(m: RealMarket, dataDir: string, faults?: FaultOptions): PaperExchange {
  return new PaperExchange({
    markets: [{ rules: m.rules, candleVolumeIn: m.candleVolumeIn }], balances: m.balances, sleep: () => Promise.resolve(),
    state: { path: join(dataDir, 'paper-exchange.sqlite') }, ...(faults ? { faults } : {}),
  });
}

/**
 * What the persistent paper exchange is for: a restarted session on the same data directory
 * reconciles against the account the previous session traded on, not against a blank one.
 */
describe.runIf(available)('a restarted session reconciles against the persistent paper account', () => {
  it('books what filled while it was down, keeps what still rests, and marks only the order that never arrived not_found', async () => {
    const m = loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON).btc;
    const dir = tempDir();
    const at = 200;
    const close = candleAt(m, at).close;
    const nearPx = close.sub(d('150'));
    let hit = at + 1;
    while (!candleAt(m, hit).low.lt(nearPx)) hit++;
    const farPx = close.div(d('2'), 18, 'down').quantize(m.rules.tickSize, 'down');

    // Session 1: two answers lost to timeouts (one order reached the exchange), two resting buys acknowledged.
    let exchange = openExchange(m, dir, { script: { placeOrder: ['timeout_reached', 'timeout_lost', 'none', 'none'] } });
    for (let i = at - 3; i <= at; i++) exchange.onCandle('BTC/USD', candleAt(m, i));
    let store = StateStore.open({ dataDir: dir, now: () => candleAt(m, at).openTime });
    store.setBalances(m.balances);
    const send = async (n: number, limitPx: Decimal, tif: 'IOC' | 'GTC') => {
      const order = { clientOrderId: `int_00000000000000b${n}-1`, intentId: `int_00000000000000b${n}`, decisionId: `dec_20220101_030000_0000b${n}`, symbol: 'BTC/USD', side: 'buy', qty: d('0.01'), limitPx } as const;
      store.recordOrder(order);
      const placed = await exchange.placeOrder({ clientOrderId: order.clientOrderId, symbol: 'BTC/USD', side: 'buy', type: 'limit', qty: order.qty, limitPx, tif });
      if (placed.ok) {
        expect(placed.value.status).toBe('submitted');
        store.updateOrder(order.clientOrderId, { status: 'submitted', exchangeOrderId: placed.value.exchangeOrderId });
      }
      return placed.ok;
    };
    const marketable = close.mul(d('1.01')).quantize(m.rules.tickSize, 'up');
    expect([await send(1, marketable, 'IOC'), await send(2, marketable, 'IOC'), await send(3, nearPx, 'GTC'), await send(4, farPx, 'GTC')]).toEqual([false, false, true, true]);
    // The market trades through the near buy; the bot dies before it hears of the fill.
    for (let i = at + 1; i <= hit; i++) exchange.onCandle('BTC/USD', candleAt(m, i));
    exchange.close();
    store.close();

    // Session 2 on the same data directory.
    exchange = openExchange(m, dir);
    store = StateStore.open({ dataDir: dir, now: () => candleAt(m, hit).openTime });
    const recorder = new Recorder({ sessionId: 'session_20220101_040000', sink: new FileSink(join(dir, 'logs')) });
    const report = await recoverState({ store, exchange, recorder, stillOpen: 'keep', now: () => candleAt(m, hit).openTime });
    recorder.close();
    expect(report.results.map((r) => [r.clientOrderId, r.outcome])).toEqual([
      ['int_00000000000000b1-1', 'booked_fill'],
      ['int_00000000000000b2-1', 'not_found'],
      ['int_00000000000000b3-1', 'booked_fill'],
      ['int_00000000000000b4-1', 'still_open'],
    ]);
    expect(store.position('BTC/USD')?.qty.toString()).toBe('0.02');
    expect(store.openOrders().map((o) => o.clientOrderId)).toEqual(['int_00000000000000b4-1']);
    // The bot's books and the exchange's account agree on what is free and what the resting buy holds.
    const balances = await exchange.balances();
    if (!balances.ok) throw new Error(balances.error.message);
    const usd = balances.value.find((b) => b.asset === 'USD')!;
    expect(usd.locked.isPositive()).toBe(true);
    expect(store.balance('USD').toString()).toBe(usd.free.add(usd.locked).toString());
    expect(store.balance('BTC').toString()).toBe(balances.value.find((b) => b.asset === 'BTC')!.free.toString());
    exchange.close();
    store.close();
  });
});
