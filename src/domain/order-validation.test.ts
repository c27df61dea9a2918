import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from './decimal.js';
import { marketRules, marketRulesOrThrow, type MarketRules } from './market-rules.js';
import { limitPriceFor, qtyForBudget, roundLimitPrice, roundQty } from './order-rounding.js';
import { roundAndValidate, validateOrder } from './order-validation.js';

const d = (text: string) => Decimal.parse(text);

/** Shaped like the two markets of shared/data: BTC near 40,000 USD and an altcoin near 0.0016 BTC. */
const BTC = marketRulesOrThrow({
  baseAsset: 'BTC', quoteAsset: 'USD', tickSize: '0.5', lotSize: '0.0001', minQty: '0.0001',
  minNotional: '5', makerFeeRate: '0.0002', takerFeeRate: '0.0007',
});
const ALT = marketRulesOrThrow({
  baseAsset: 'UNITTEST', quoteAsset: 'BTC', tickSize: '0.00000001', lotSize: '1', minQty: '1',
  minNotional: '0.0001', makerFeeRate: '0.001', takerFeeRate: '0.001',
});

/** A positive decimal of up to 8 places in [1e-8, 1e7]. */
const positive = fc.bigInt({ min: 1n, max: 10n ** 15n }).map((units) => Decimal.ofUnits(units, 8));
const side = fc.constantFrom('buy' as const, 'sell' as const);
const market = fc.constantFrom(BTC, ALT);
const bps = fc.integer({ min: 0, max: 500 }).map((n) => Decimal.from(n));

function expectPasses(rules: MarketRules, qty: Decimal, price: Decimal): void {
  expect(qty.isMultipleOf(rules.lotSize)).toBe(true);
  expect(qty.gte(rules.minQty)).toBe(true);
  expect(price.isMultipleOf(rules.tickSize)).toBe(true);
  expect(qty.mul(price).gte(rules.minNotional)).toBe(true);
}

describe('market rules', () => {
  it('names the input and what was expected', () => {
    const bad = marketRules({ ...{ baseAsset: 'BTC', quoteAsset: 'USD', lotSize: '0.0001', minQty: '0', minNotional: '5', makerFeeRate: '0', takerFeeRate: '0.001' }, tickSize: '0' });
    expect(bad).toEqual({ ok: false, error: { code: 'invalid_market_rules', input: 'tickSize', message: 'market rule tickSize "0": expected a positive decimal' } });
    const fee = marketRules({ baseAsset: 'BTC', quoteAsset: 'USD', tickSize: '1', lotSize: '1', minQty: '0', minNotional: '5', makerFeeRate: '0', takerFeeRate: '1' });
    expect(fee.ok ? '' : fee.error.message).toMatch(/takerFeeRate "1": expected a fraction below 0.1/);
    expect(marketRules({ baseAsset: 'btc', quoteAsset: 'USD', tickSize: '1', lotSize: '1', minQty: '0', minNotional: '5', makerFeeRate: '0', takerFeeRate: '0' }).ok).toBe(false);
    expect(BTC.symbol).toBe('BTC/USD');
  });
});

describe('rounding', () => {
  it('a rounded order always passes the market rules, or is refused before sending', () => {
    fc.assert(
      fc.property(market, side, positive, positive, (rules, s, qty, price) => {
        const result = roundAndValidate(rules, { side: s, qty, price });
        if (result.ok) {
          expectPasses(rules, result.value.qty, result.value.price);
          // Rounding never asks for more than was requested nor a worse price.
          expect(result.value.qty.lte(qty)).toBe(true);
          expect(s === 'buy' ? result.value.price.lte(price) : result.value.price.gte(price)).toBe(true);
          expect(validateOrder(rules, { side: s, qty: result.value.qty, price: result.value.price }).ok).toBe(true);
        } else {
          expect(['qty_not_positive', 'qty_below_min', 'price_not_positive', 'notional_below_min']).toContain(result.error.code);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a budgeted buy never spends more than its budget, fee included, and respects the slippage limit', () => {
    fc.assert(
      fc.property(market, positive, positive, bps, (rules, budget, reference, slippage) => {
        const limit = limitPriceFor(rules, 'buy', reference, slippage);
        const maxPrice = reference.mul(Decimal.ONE.add(slippage.div(d('10000'))));
        expect(limit.lte(maxPrice)).toBe(true);
        expect(limit.isMultipleOf(rules.tickSize)).toBe(true);
        const qty = qtyForBudget(rules, budget, limit);
        expect(qty.isMultipleOf(rules.lotSize)).toBe(true);
        expect(qty.mul(limit).mul(Decimal.ONE.add(rules.takerFeeRate)).lte(budget)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a sell limit never goes below the slippage floor', () => {
    fc.assert(
      fc.property(market, positive, bps, (rules, reference, slippage) => {
        const limit = limitPriceFor(rules, 'sell', reference, slippage);
        const minPrice = reference.mul(Decimal.ONE.sub(slippage.div(d('10000'))));
        expect(limit.gte(minPrice)).toBe(true);
        expect(limit.sub(minPrice).lt(rules.tickSize)).toBe(true);
      }),
    );
  });

  it('rounds the spec example and altcoin prices exactly', () => {
    expect(limitPriceFor(BTC, 'buy', d('45000'), d('20')).toString()).toBe('45090');
    expect(limitPriceFor(BTC, 'sell', d('45000.3'), d('20')).toString()).toBe('44910.5');
    expect(roundLimitPrice(ALT, 'buy', d('0.001620085')).toString()).toBe('0.00162008');
    expect(roundLimitPrice(ALT, 'sell', d('0.001620081')).toString()).toBe('0.00162009');
    expect(roundQty(BTC, d('0.00109999')).toString()).toBe('0.001');
    expect(qtyForBudget(BTC, d('45'), d('45000')).toString()).toBe('0.0009');
    expect(qtyForBudget(ALT, d('0.01'), d('0.00162008')).toString()).toBe('6');
  });

  it('refuses an order below min notional after rounding, naming the values', () => {
    // 0.00011 BTC rounds down to 0.0001, worth 4 USD at 40,000: under the 5 USD minimum.
    const result = roundAndValidate(BTC, { side: 'buy', qty: d('0.00011'), price: d('40000') });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('notional_below_min');
      expect(result.error.message).toBe('BTC/USD: order value 4 USD (0.0001 x 40000) is below the minimum notional 5');
    }
    const stricter = validateOrder(BTC, { side: 'buy', qty: d('0.001'), price: d('40000'), minNotional: d('50') });
    expect(stricter.ok ? '' : stricter.error.code).toBe('notional_below_min');
    expect(validateOrder(ALT, { side: 'sell', qty: d('1.5'), price: d('0.0016') }).ok).toBe(false);
    expect(validateOrder(ALT, { side: 'sell', qty: d('70'), price: d('0.001600001') }).ok).toBe(false);
  });
});
