import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { StateStore, type NewOrder } from './state-store.js';

const d = (text: string): Decimal => Decimal.parse(text);
const T0 = Date.UTC(2017, 10, 5, 0, 37);
const MINUTE = 60_000;

function buy(id: string, qty: string, px: string, ts: number): NewOrder {
  return { clientOrderId: `int_00000000000000${id}-1`, intentId: `int_00000000000000${id}`, decisionId: `dec_20171105_003700_0000${id}`, symbol: 'UNITTEST/USD', side: 'buy', qty: d(qty), limitPx: d(px), ts };
}

function sell(id: string, decisionId: string, qty: string, px: string, ts: number): NewOrder {
  return { clientOrderId: `int_00000000000000${id}-1`, intentId: `int_00000000000000${id}`, decisionId, symbol: 'UNITTEST/USD', side: 'sell', qty: d(qty), limitPx: d(px), exitRule: 'take_profit', ts };
}

/**
 * The remainder of a partial IOC fill (1 UNITTEST at 0.0016 USD, far below a 5 USD minimum order)
 * that a later decision's buy adds to: the position becomes that buy's trade, the remainder in it.
 */
describe('a buy of another decision added to a remainder', () => {
  it('makes the position that decision\'s, with its holding time and trailing-stop peak starting at the buy; cost and fees add up exactly; the file keeps it', () => {
    const dir = tempDir();
    let store = StateStore.open({ dataDir: dir, now: () => T0 });
    store.setBalances({ USD: d('1000') });
    const crumb = buy('01', '31169', '0.001602508', T0);
    store.recordOrder(crumb);
    store.applyFill({ clientOrderId: crumb.clientOrderId, filledQty: d('1'), avgPx: d('0.00159931'), fee: d('0.00000159931'), feeCurrency: 'USD', status: 'expired', ts: T0 });
    // The remainder's peak rose before the price fell: carried over, its trailing stop would sell the new buy on its first bar.
    store.updatePeak('UNITTEST/USD', d('0.0017'), T0 + MINUTE);

    const later = buy('02', '3000', '0.00151', T0 + 90 * MINUTE);
    store.recordOrder(later);
    const added = store.applyFill({ clientOrderId: later.clientOrderId, filledQty: d('3000'), avgPx: d('0.0015'), fee: d('0.0045'), feeCurrency: 'USD', status: 'filled', ts: T0 + 90 * MINUTE });
    expect(added.positionChange).toBe('added');
    const merged = added.position;
    expect([merged?.decisionId, merged?.openedAt, merged?.peakPx.toString(), merged?.qty.toString()]).toEqual([later.decisionId, T0 + 90 * MINUTE, '0.0015', '3001']);
    expect([merged?.entryCost.toString(), merged?.entryFees.toString()]).toEqual(['4.50159931', '0.00450159931']);
    store.close();

    // Written to the file, not only to the mirror: a restart sells it as the later decision's trade.
    store = StateStore.open({ dataDir: dir, now: () => T0 });
    const reopened = store.position('UNITTEST/USD');
    expect([reopened?.id, reopened?.decisionId, reopened?.openedAt, reopened?.peakPx.toString()]).toEqual([merged?.id, later.decisionId, T0 + 90 * MINUTE, '0.0015']);

    const exit = sell('03', later.decisionId, '3001', '0.0016', T0 + 120 * MINUTE);
    store.recordOrder(exit);
    const closed = store.applyFill({ clientOrderId: exit.clientOrderId, filledQty: d('3001'), avgPx: d('0.0016'), fee: d('0.0048016'), feeCurrency: 'USD', status: 'filled', ts: T0 + 120 * MINUTE });
    expect(closed.positionChange).toBe('closed');
    // 4.8016 - 0.0048016 received, less the 4.50159931 both buys cost and their 0.00450159931 of fees.
    expect(closed.realizedPnl.toString()).toBe('0.29069749069');
    expect(store.lastExit('UNITTEST/USD')?.decisionId).toBe(later.decisionId);
    // Cash: 1000 - 0.00160090931 - 4.5045 + 4.8016 - 0.0048016 = 1000 + realized PnL.
    expect(store.balance('USD').toString()).toBe('1000.29069749069');
    expect(store.balance('UNITTEST').isZero()).toBe(true);
    store.close();
  });

  it('keeps the decision, the opening time and the highest peak when the same decision\'s order fills further', () => {
    const store = StateStore.open({ dataDir: tempDir(), now: () => T0 });
    store.setBalances({ USD: d('1000') });
    const order = buy('01', '4000', '0.0016', T0);
    store.recordOrder(order);
    store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('1'), avgPx: d('0.0016'), fee: d('0'), feeCurrency: 'USD', status: 'partially_filled', ts: T0 });
    store.updatePeak('UNITTEST/USD', d('0.0017'), T0 + MINUTE);
    const grown = store.applyFill({ clientOrderId: order.clientOrderId, filledQty: d('4000'), avgPx: d('0.0015'), fee: d('0'), feeCurrency: 'USD', status: 'filled', ts: T0 + 5 * MINUTE });
    expect([grown.position?.decisionId, grown.position?.openedAt, grown.position?.peakPx.toString()]).toEqual([order.decisionId, T0, '0.0017']);
    store.close();
  });
});
