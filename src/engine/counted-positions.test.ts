import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import type { PositionRecord } from '../store/records.js';
import { countedOpenPositions } from './counted-positions.js';

const d = (text: string): Decimal => Decimal.parse(text);

function position(symbol: string, qty: string): PositionRecord {
  return {
    id: 1, symbol, qty: d(qty), entryPx: d('1'), entryFees: d('0'), feesPaid: d('0'), realizedPnl: d('0'), peakPx: d('1'),
    decisionId: 'dec_20220101_000000_000001', openedAt: 0, updatedAt: 0,
  };
}

describe('countedOpenPositions', () => {
  const prices = new Map([['BTC/USD', d('46000')], ['ALT/USD', d('0.0016')]]);
  const minimum = new Map([['BTC/USD', d('5')], ['ALT/USD', d('5')], ['NEW/USD', d('5')]]);
  const count = (positions: PositionRecord[]): number => countedOpenPositions(positions, (s) => prices.get(s), (s) => minimum.get(s));

  it('leaves out a position worth less than its minimum order value at the last price', () => {
    // 1 ALT at 0.0016 USD: the remainder of a partial fill, which no order can sell.
    expect(count([position('ALT/USD', '1'), position('BTC/USD', '0.001')])).toBe(1);
    expect(count([position('ALT/USD', '1')])).toBe(0);
  });

  it('counts a position worth exactly the minimum, and one it cannot price or knows no minimum for', () => {
    expect(count([position('ALT/USD', '3125')])).toBe(1); // 3125 x 0.0016 = 5
    expect(count([position('NEW/USD', '1')])).toBe(1);
    expect(countedOpenPositions([position('ALT/USD', '1')], (s) => prices.get(s), () => undefined)).toBe(1);
  });
});
