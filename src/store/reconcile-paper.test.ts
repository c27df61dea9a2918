import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { marketRulesOrThrow } from '../domain/market-rules.js';
import { PaperExchange } from '../execution/paper/paper-exchange.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { recoverState } from './recover-state.js';
import { StateStore, type NewOrder } from './state-store.js';

const d = (text: string): Decimal => Decimal.parse(text);
const T0 = Date.UTC(2022, 0, 3, 10);

/**
 * The real paper exchange keeps running while the bot dies between sending orders and hearing back
 * (timeouts injected by the exchange's own fault plan); the restarted bot reconciles against it.
 */
describe('reconciliation against the paper exchange', () => {
  it('books the order that reached the exchange, marks the lost one, cancels the resting one, and ends with the exchange balances', async () => {
    const rules = marketRulesOrThrow({ baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', lotSize: '0.00001', minQty: '0.00001', minNotional: '5', makerFeeRate: '0.001', takerFeeRate: '0.001' });
    const exchange = new PaperExchange({
      markets: [{ rules }], balances: { USDT: d('10000') }, sleep: () => Promise.resolve(),
      faults: { script: { placeOrder: ['timeout_reached', 'timeout_lost', 'none'] } },
    });
    exchange.onCandle('BTC/USDT', { openTime: T0, open: d('45000'), high: d('45100'), low: d('44900'), close: d('45000'), volume: d('1000') });

    const dir = tempDir();
    const recorder = new Recorder({ sessionId: 'session_20220103_100000', sink: new FileSink(join(dir, 'logs')) });
    let store = StateStore.open({ dataDir: dir, now: () => T0 });
    store.setBalances({ USDT: d('10000') });
    const intent = (n: number, limit: string, tif: 'IOC' | 'GTC') => {
      const order: NewOrder = { clientOrderId: `int_00000000000000a${n}-1`, intentId: `int_00000000000000a${n}`, decisionId: `dec_20220103_100000_0000a${n}`, symbol: 'BTC/USDT', side: 'buy', qty: d('0.01'), limitPx: d(limit), ts: T0 };
      store.recordOrder(order);
      return exchange.placeOrder({ clientOrderId: order.clientOrderId, symbol: 'BTC/USDT', side: 'buy', qty: order.qty, type: 'limit', limitPx: order.limitPx, tif });
    };
    const reached = await intent(1, '45100', 'IOC');
    const lost = await intent(2, '45100', 'IOC');
    const resting = await intent(3, '44000', 'GTC');
    expect([reached.ok, lost.ok, resting.ok]).toEqual([false, false, true]);
    if (resting.ok) store.updateOrder(resting.value.clientOrderId, { status: 'submitted', exchangeOrderId: resting.value.exchangeOrderId });
    store.close(); // the process dies here: nothing of the two timeouts was booked

    store = StateStore.open({ dataDir: dir, now: () => T0 + 60_000 });
    const report = await recoverState({ store, exchange, recorder, stillOpen: 'cancel', now: () => T0 + 60_000 });
    recorder.close();

    expect(report.results.map((r) => [r.clientOrderId, r.outcome])).toEqual([
      ['int_00000000000000a1-1', 'booked_fill'],
      ['int_00000000000000a2-1', 'not_found'],
      ['int_00000000000000a3-1', 'canceled'],
    ]);
    expect(store.position('BTC/USDT')?.decisionId).toBe('dec_20220103_100000_0000a1');
    expect(store.openOrders()).toEqual([]);
    const balances = await exchange.balances();
    if (!balances.ok) throw new Error(balances.error.message);
    expect(balances.value.map((b) => b.asset).sort()).toEqual(['BTC', 'USDT']);
    for (const balance of balances.value) {
      expect(balance.locked.isZero()).toBe(true);
      expect(`${balance.asset} ${store.balance(balance.asset).toString()}`).toBe(`${balance.asset} ${balance.free.toString()}`);
    }
    store.close();
  });
});
