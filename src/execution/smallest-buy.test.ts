import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { Decimal } from '../domain/decimal.js';
import { marketRulesOrThrow, type MarketRules } from '../domain/market-rules.js';
import { limitPriceFor, smallestBuy } from '../domain/order-rounding.js';
import { orderTerms } from './order-terms.js';

const available = sharedDataAvailable();

const BTC_USD = marketRulesOrThrow({ baseAsset: 'BTC', quoteAsset: 'USD', tickSize: '0.5', lotSize: '0.0001', minQty: '0.0001', minNotional: '5', makerFeeRate: '0.001', takerFeeRate: '0.001' });
const UNITTEST_BTC = marketRulesOrThrow({ baseAsset: 'UNITTEST', quoteAsset: 'BTC', tickSize: '0.00000001', lotSize: '1', minQty: '1', minNotional: '0.001', makerFeeRate: '0.001', takerFeeRate: '0.001' });

/** Closes of the first rows of a real candle file, as the text it holds. */
function closes(file: string, count: number): string[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return (JSON.parse(text) as unknown[][]).slice(0, count).map((row) => String(row[4]));
  return text.split('\n').slice(1, count + 1).map((row) => row.split(',')[4] ?? '');
}

/**
 * The guard lets a buy through when the budget covers smallestBuy's cost; the router sends it when
 * orderTerms finds it valid. If the two disagreed, the guard would pass buys the router refuses
 * (min_notional failures on every signal) or refuse buys it would send.
 */
function agreesWithRouter(rules: MarketRules, close: Decimal): void {
  const slippageBps = 20;
  const limitPx = limitPriceFor(rules, 'buy', close, Decimal.from(slippageBps));
  const { qty, cost } = smallestBuy(rules, limitPx);
  const unit = Decimal.parse(`1e-${Math.max(cost.scale, 12)}`);
  for (const budget of [cost.sub(unit), cost, cost.add(unit), cost.mul(Decimal.parse('0.5')), cost.mul(Decimal.parse('3'))]) {
    const terms = orderTerms(rules, { side: 'buy', size: { quoteBudget: budget }, referencePx: close, slippageBps });
    expect([budget.toString(), terms.valid.ok], `${rules.symbol} at ${close.toString()}`).toEqual([budget.toString(), budget.gte(cost)]);
    if (budget.eq(cost)) expect(terms.qty.toString()).toBe(qty.toString());
  }
}

describe.skipIf(!available)('smallestBuy: what the buy guard asks agrees with what the router sends, on real prices', () => {
  it('BTC/USD (lot 0.0001, minimum order value 5) over the first 2,000 closes of the BTC perp file', () => {
    for (const close of closes(BTC_PERP_CSV, 2000)) agreesWithRouter(BTC_USD, Decimal.parse(close));
  });

  it('UNITTEST/BTC (lot 1, prices near 0.0016) over the first 2,000 closes of the altcoin file', () => {
    for (const close of closes(ALTCOIN_JSON, 2000)) agreesWithRouter(UNITTEST_BTC, Decimal.parse(close));
  });
});
