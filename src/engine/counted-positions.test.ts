import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { marketRules, type MarketRules } from '../domain/market-rules.js';
import type { PositionRecord } from '../store/records.js';
import { CountedPositions } from './counted-positions.js';

const d = (text: string): Decimal => Decimal.parse(text);

function rules(base: string, lotSize: string, minQty: string, tickSize: string): MarketRules {
  const made = marketRules({ baseAsset: base, quoteAsset: 'USD', tickSize, lotSize, minQty, minNotional: '5', makerFeeRate: '0.001', takerFeeRate: '0.001' });
  if (!made.ok) throw new Error(made.error.message);
  return made.value;
}

function position(symbol: string, qty: string): PositionRecord {
  return {
    id: 1, symbol, qty: d(qty), entryPx: d('1'), entryCost: d(qty), entryFees: d('0'), feesPaid: d('0'), realizedPnl: d('0'), peakPx: d('1'),
    decisionId: 'dec_20220101_000000_000001', openedAt: 0, updatedAt: 0,
  };
}

describe('CountedPositions', () => {
  const markets = new Map([
    ['BTC/USD', rules('BTC', '0.00001', '0.00001', '0.01')],
    ['ALT/USD', rules('ALT', '1', '1', '0.0000001')],
    ['LOT/USD', rules('LOT', '0.1', '0.5', '0.01')],
  ]);
  const prices = new Map([['BTC/USD', d('46000')], ['ALT/USD', d('0.0016')], ['LOT/USD', d('100')]]);
  // 20 bps of slippage on the sell's limit, as the engine's default.
  const count = (positions: PositionRecord[], known = markets): number => new CountedPositions(20).count(positions, (s) => prices.get(s), (s) => known.get(s));

  it('leaves out a position no exit could sell at the last price: below the minimum order value', () => {
    // 1 ALT at 0.0016 USD: the remainder of a partial fill.
    expect(count([position('ALT/USD', '1'), position('BTC/USD', '0.001')])).toBe(1);
    expect(count([position('ALT/USD', '1')])).toBe(0);
  });

  it('asks what the exit asks: the limit after slippage and the minimum quantity, not quantity x price', () => {
    // 3126 ALT x 0.0016 = 5.0016, but the sell's limit (0.0016 less 20 bps, on the tick) makes it 4.99...
    expect(count([position('ALT/USD', '3126')])).toBe(0);
    expect(count([position('ALT/USD', '3200')])).toBe(1);
    // 0.4 LOT is worth 40 USD, but the market trades no less than 0.5: no price will sell it.
    expect(count([position('LOT/USD', '0.4')])).toBe(0);
    expect(count([position('LOT/USD', '0.5')])).toBe(1);
  });

  it('counts a position it cannot price or has no market rules for', () => {
    expect(count([position('NEW/USD', '1')])).toBe(1);
    expect(count([position('ALT/USD', '1')], new Map())).toBe(1);
  });

  it('answers from what it learned as the price moves as a fresh check would, across the boundary both ways', () => {
    const counted = new CountedPositions(20);
    const alt = [position('ALT/USD', '3126')];
    // Sellable from between 0.0016025 and 0.0016029 (the limit after slippage, on the tick, makes 5
    // USD): walk the price down and back up across that edge, and onto each side of it.
    const walk = ['0.0017', '0.00161', '0.0016', '0.0015', '0.0016', '0.00161', '0.0016029', '0.0016025', '0.0016029', '0.0018', '0.0016025', '0.0016'];
    const answers: number[] = [];
    for (const text of walk) {
      const price = d(text);
      const fresh = new CountedPositions(20).count(alt, () => price, (s) => markets.get(s));
      expect([text, counted.count(alt, () => price, (s) => markets.get(s))]).toEqual([text, fresh]);
      answers.push(fresh);
    }
    expect(answers).toEqual([1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0]);
    // Another quantity is another question: what was learned for 3126 does not answer for 1.
    expect(counted.count([position('ALT/USD', '1')], () => d('0.0017'), (s) => markets.get(s))).toBe(0);
  });
});
