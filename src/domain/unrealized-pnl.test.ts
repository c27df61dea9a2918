import { describe, expect, it } from 'vitest';
import { fillEffect } from '../store/fill-accounting.js';
import type { OrderRecord, PositionRecord } from '../store/records.js';
import { Decimal } from './decimal.js';
import { feeFor } from './order-rounding.js';
import { unrealizedPnl } from './unrealized-pnl.js';

const d = (text: string): Decimal => Decimal.parse(text);

function order(side: 'buy' | 'sell', qty: string, px: string): OrderRecord {
  return {
    clientOrderId: `int_0000000000000${side === 'buy' ? 'b' : 's'}-1`, intentId: 'int_0000000000000001', decisionId: 'dec_20220131_235900_000001', symbol: 'BTC/USD', side,
    qty: d(qty), limitPx: d(px), status: 'submitted', exitRule: side === 'sell' ? 'stop_loss' : undefined, exchangeOrderId: undefined,
    filledQty: Decimal.ZERO, filledNotional: Decimal.ZERO, feeBooked: Decimal.ZERO, feeCurrency: undefined, createdAt: 0, updatedAt: 0,
  };
}

/** The store's booking of one whole fill at `px`, with the fee the paper exchange charges at `rate`. */
function fill(side: 'buy' | 'sell', qty: string, px: string, rate: Decimal, position: PositionRecord | undefined) {
  const notional = d(qty).mul(d(px));
  return fillEffect(order(side, qty, px), { filledQty: d(qty), avgPx: d(px), filledNotional: notional, fee: feeFor(notional, rate), feeCurrency: 'USD' }, position, 1);
}

// The btc1 replay (BTC-PERP, January 2022, 10 bps taker fee) ended holding 0.0012 BTC bought at
// 38484 (46.1808 USD, fee 0.0461808). Its summary said unrealized +0.0258192 at the last close of
// 38544: the entry fee only. Sold at that close, the position books -0.0204336 after the exit fee.
describe('unrealizedPnl', () => {
  const taker = d('0.001');
  const bought = fill('buy', '0.0012', '38484', taker, undefined).position;
  if (!bought) throw new Error('the buy opened no position');
  const position: PositionRecord = { ...bought, id: 1, updatedAt: 1 };

  it('is what realized PnL books when the position is sold at that price: the exit fee included', () => {
    const sold = fill('sell', '0.0012', '38544', taker, position);
    expect(sold.positionChange).toBe('closed');
    expect(sold.realizedPnl.toString()).toBe('-0.0204336');
    expect(unrealizedPnl(position, d('38544'), taker).toString()).toBe('-0.0204336');
  });

  it("takes the exit fee at the entry's rate when the caller has no market rules", () => {
    expect(unrealizedPnl(position, d('38544')).toString()).toBe('-0.0204336');
    expect(unrealizedPnl({ qty: d('2'), entryCost: d('6000'), entryFees: Decimal.ZERO }, d('2990.5')).toString()).toBe('-19');
  });

  it('takes the rate it is given, as a maker-filled entry needs (its own rate is below the taker rate)', () => {
    const makerEntry = { qty: d('0.0012'), entryCost: d('46.1808'), entryFees: d('0.00923616') };
    expect(unrealizedPnl(makerEntry, d('38544'), taker).toString()).toBe(d('46.2528').sub(d('0.0462528')).sub(d('46.1808')).sub(d('0.00923616')).toString());
  });
});
