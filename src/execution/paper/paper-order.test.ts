import { describe, expect, it } from 'vitest';
import { Decimal } from '../../domain/decimal.js';
import { viewOrder, type PaperOrder } from './paper-order.js';

const d = (text: string) => Decimal.parse(text);

describe('viewOrder', () => {
  it('reports the exact cumulative notional and the time of the latest change, which the rounded avgPx and createdAt cannot give', () => {
    // Three fills at prices whose average has no finite decimal: 0.1 @ 1, 0.1 @ 1, 0.1 @ 2 -> avg 4/3.
    const order: PaperOrder = {
      request: { clientOrderId: 'c1', symbol: 'UNITTEST/BTC', side: 'buy', qty: d('0.3'), type: 'limit', limitPx: d('2'), tif: 'GTC' },
      seq: 1, exchangeOrderId: 'paper-1', baseAsset: 'UNITTEST', quoteAsset: 'BTC',
      createdAt: 1_000, updatedAt: 181_000, status: 'filled',
      filledQty: d('0.3'), filledNotional: d('0.4'), fee: d('0.00008'), locked: Decimal.ZERO, lockPerUnit: d('2'),
    };
    const seen = viewOrder(order);
    expect(seen.filledNotional.toString()).toBe('0.4');
    expect(seen.avgPx?.mul(seen.filledQty).eq(d('0.4'))).toBe(false);
    expect(seen.updatedAt).toBe(181_000);
    expect(seen.createdAt).toBe(1_000);
  });
});
