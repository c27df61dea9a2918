import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import type { ExchangeError, ExchangeResult } from './exchange-error.js';
import type { Balance, Exchange, PlaceOrderRequest } from './exchange.js';

/** What an implementation hands the contract suite: an exchange, one market, and how to price orders on it. */
export interface ContractSubject {
  readonly exchange: Exchange;
  /** A market with enough free base and quote for a few minimum-size orders. */
  readonly symbol: string;
  /** A buy limit that rests unfilled for the duration of a test (well below the market). */
  restingBuyPx(): Promise<Decimal>;
  /** A buy limit that fills now, at least in part (above the market). */
  marketableBuyPx(): Promise<Decimal>;
  /** A client order id never used before on this account. */
  newClientOrderId(label: string): string;
  dispose?(): Promise<void>;
}

const RETRYABLE: Record<ExchangeError['code'], boolean> = {
  timeout: true, rate_limited: true, network: true, unavailable: true,
  rejected: false, insufficient_balance: false, invalid_order: false, not_found: false, duplicate_order: false,
};
const CREDENTIAL = /(api[_-]?key|secret|signature|token|passphrase)["']?\s*[:=]\s*["']?(?!\[REDACTED\])[^\s&"',;}]+/i;

function expectError<T>(result: ExchangeResult<T>, code: ExchangeError['code']): ExchangeError {
  if (result.ok) throw new Error(`expected an exchange error ${code}, got success ${JSON.stringify(result.value)}`);
  expect(result.error.code).toBe(code);
  expect(result.error.retryable).toBe(RETRYABLE[code]);
  expect(result.error.message).not.toMatch(CREDENTIAL);
  return result.error;
}

function expectOk<T>(result: ExchangeResult<T>, what: string): T {
  if (!result.ok) throw new Error(`${what} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The smallest order that clears minQty and minNotional (with a margin) at `price`. */
function minimumQty(rules: MarketRules, price: Decimal): Decimal {
  const forNotional = rules.minNotional.mul(Decimal.parse('1.5')).div(price, 18, 'up').quantize(rules.lotSize, 'up');
  return Decimal.max(Decimal.max(forNotional, rules.minQty.quantize(rules.lotSize, 'up')), rules.lotSize);
}

function balanceOf(balances: readonly Balance[], asset: string): Balance {
  return balances.find((b) => b.asset === asset) ?? { asset, free: Decimal.ZERO, locked: Decimal.ZERO };
}

/**
 * The behaviour every `Exchange` implementation must show (hono style: one suite, every adapter).
 * A live adapter runs it against a testnet account; the paper exchange against real candles.
 */
export function runExchangeContract(name: string, makeExchange: () => Promise<ContractSubject>): void {
  describe(`Exchange contract: ${name}`, () => {
    async function withSubject(fn: (s: ContractSubject, rules: MarketRules) => Promise<void> | void): Promise<void> {
      const subject = await makeExchange();
      try {
        const markets = expectOk(await subject.exchange.markets(), 'markets()');
        const rules = markets.find((m) => m.symbol === subject.symbol);
        if (!rules) throw new Error(`markets() does not list ${subject.symbol}`);
        await fn(subject, rules);
      } finally {
        await subject.dispose?.();
      }
    }

    it('lists its markets with usable rules', () =>
      withSubject((_s, rules) => {
        expect(rules.symbol).toBe(`${rules.baseAsset}/${rules.quoteAsset}`);
        expect(rules.tickSize.isPositive() && rules.lotSize.isPositive()).toBe(true);
        expect(rules.minNotional.isNegative() || rules.minQty.isNegative()).toBe(false);
      }));

    it('reports balances per asset, never negative', () =>
      withSubject(async (s) => {
        const balances = expectOk(await s.exchange.balances(), 'balances()');
        expect(new Set(balances.map((b) => b.asset)).size).toBe(balances.length);
        for (const b of balances) expect(b.free.isNegative() || b.locked.isNegative()).toBe(false);
      }));

    it('rests a GTC limit, finds it by client order id, cancels it and releases the funds', () =>
      withSubject(async (s, rules) => {
        const px = await s.restingBuyPx();
        const qty = minimumQty(rules, px);
        const before = balanceOf(expectOk(await s.exchange.balances(), 'balances()'), rules.quoteAsset);
        const id = s.newClientOrderId('rest');
        const placed = expectOk(await s.exchange.placeOrder({ clientOrderId: id, symbol: s.symbol, side: 'buy', type: 'limit', qty, limitPx: px, tif: 'GTC' }), 'placeOrder');
        expect(placed).toMatchObject({ clientOrderId: id, symbol: s.symbol, status: 'submitted', side: 'buy', tif: 'GTC' });
        expect(placed.filledQty.isZero()).toBe(true);
        expect(placed.qty.eq(qty) && placed.limitPx?.eq(px)).toBe(true);
        const during = balanceOf(expectOk(await s.exchange.balances(), 'balances()'), rules.quoteAsset);
        expect(during.locked.sub(before.locked).gte(qty.mul(px))).toBe(true);
        expect(during.free.lt(before.free)).toBe(true);
        const fetched = expectOk(await s.exchange.fetchOrderByClientId(s.symbol, id), 'fetchOrderByClientId');
        expect(fetched.exchangeOrderId).toBe(placed.exchangeOrderId);
        expect(fetched.status).toBe('submitted');
        const canceled = expectOk(await s.exchange.cancelOrder(s.symbol, id), 'cancelOrder');
        expect(canceled.status).toBe('canceled');
        const after = balanceOf(expectOk(await s.exchange.balances(), 'balances()'), rules.quoteAsset);
        expect(after.free.eq(before.free) && after.locked.eq(before.locked)).toBe(true);
        expect(expectOk(await s.exchange.fetchOrderByClientId(s.symbol, id), 'fetch').status).toBe('canceled');
        expect(expectOk(await s.exchange.cancelOrder(s.symbol, id), 'second cancel').status).toBe('canceled');
      }));

    it('refuses a second order under a used client order id, and keeps the first', () =>
      withSubject(async (s, rules) => {
        const px = await s.restingBuyPx();
        const request: PlaceOrderRequest = { clientOrderId: s.newClientOrderId('dup'), symbol: s.symbol, side: 'buy', type: 'limit', qty: minimumQty(rules, px), limitPx: px, tif: 'GTC' };
        const first = expectOk(await s.exchange.placeOrder(request), 'placeOrder');
        expectError(await s.exchange.placeOrder(request), 'duplicate_order');
        expect(expectOk(await s.exchange.fetchOrderByClientId(s.symbol, request.clientOrderId), 'fetch').exchangeOrderId).toBe(first.exchangeOrderId);
        expectOk(await s.exchange.cancelOrder(s.symbol, request.clientOrderId), 'cancel');
      }));

    it('answers not_found for an order it never saw', () =>
      withSubject(async (s) => {
        expectError(await s.exchange.fetchOrderByClientId(s.symbol, s.newClientOrderId('ghost')), 'not_found');
        expectError(await s.exchange.cancelOrder(s.symbol, s.newClientOrderId('ghost')), 'not_found');
      }));

    it('rejects orders that break a market rule as invalid_order naming the rule', () =>
      withSubject(async (s, rules) => {
        const px = await s.restingBuyPx();
        const qty = minimumQty(rules, px);
        const base = { symbol: s.symbol, side: 'buy', type: 'limit', tif: 'GTC' } as const;
        const cases: [PlaceOrderRequest, string][] = [
          [{ ...base, clientOrderId: s.newClientOrderId('lot'), qty: qty.add(rules.lotSize.div(Decimal.parse('2'))), limitPx: px }, 'qty_off_lot'],
          [{ ...base, clientOrderId: s.newClientOrderId('tick'), qty, limitPx: px.add(rules.tickSize.div(Decimal.parse('2'))) }, 'price_off_tick'],
          [{ ...base, clientOrderId: s.newClientOrderId('zero'), qty: Decimal.ZERO, limitPx: px }, 'qty_not_positive'],
        ];
        if (rules.minNotional.isPositive()) {
          // The largest quantity on the lot whose value stays under min notional; else a tiny price.
          let tinyQty = rules.minNotional.div(px, 18, 'up').quantize(rules.lotSize, 'up').sub(rules.lotSize);
          let tinyPx = px;
          if (!tinyQty.isPositive() || tinyQty.lt(rules.minQty)) {
            tinyQty = Decimal.max(rules.minQty.quantize(rules.lotSize, 'up'), rules.lotSize);
            tinyPx = rules.minNotional.div(tinyQty.mul(Decimal.parse('2')), 18, 'down').quantize(rules.tickSize, 'down');
          }
          if (tinyPx.isPositive()) {
            cases.push([{ ...base, clientOrderId: s.newClientOrderId('notional'), qty: tinyQty, limitPx: tinyPx }, 'notional_below_min']);
          }
        }
        for (const [request, rule] of cases) {
          const error = expectError(await s.exchange.placeOrder(request), 'invalid_order');
          expect(error.code === 'invalid_order' ? error.rule : undefined, rule).toBe(rule);
          expectError(await s.exchange.fetchOrderByClientId(s.symbol, request.clientOrderId), 'not_found');
        }
        const unknown = expectError(await s.exchange.placeOrder({ ...base, symbol: 'NOPE/NONE', clientOrderId: s.newClientOrderId('sym'), qty, limitPx: px }), 'invalid_order');
        expect(unknown.code === 'invalid_order' ? unknown.rule : undefined).toBe('unknown_symbol');
      }));

    it('refuses an order the balance cannot pay, naming the asset', () =>
      withSubject(async (s, rules) => {
        const px = await s.restingBuyPx();
        const free = balanceOf(expectOk(await s.exchange.balances(), 'balances()'), rules.quoteAsset).free;
        const qty = free.div(px, 18, 'up').mul(Decimal.parse('2')).quantize(rules.lotSize, 'up');
        const error = expectError(await s.exchange.placeOrder({ clientOrderId: s.newClientOrderId('broke'), symbol: s.symbol, side: 'buy', type: 'limit', qty, limitPx: px, tif: 'GTC' }), 'insufficient_balance');
        expect(error.code === 'insufficient_balance' ? error.asset : '').toBe(rules.quoteAsset);
      }));

    it('fills a marketable IOC buy within its limit, charges a fee and credits the base asset', () =>
      withSubject(async (s, rules) => {
        const px = await s.marketableBuyPx();
        const qty = minimumQty(rules, px);
        const before = expectOk(await s.exchange.balances(), 'balances()');
        const id = s.newClientOrderId('ioc');
        const order = expectOk(await s.exchange.placeOrder({ clientOrderId: id, symbol: s.symbol, side: 'buy', type: 'limit', qty, limitPx: px, tif: 'IOC' }), 'placeOrder');
        expect(['filled', 'expired']).toContain(order.status);
        expect(order.filledQty.isPositive() && order.filledQty.lte(qty)).toBe(true);
        expect(order.avgPx !== null && order.avgPx.lte(px)).toBe(true);
        expect(order.fee.isNegative()).toBe(false);
        const after = expectOk(await s.exchange.balances(), 'balances()');
        expect(balanceOf(after, rules.baseAsset).free.sub(balanceOf(before, rules.baseAsset).free).eq(order.filledQty)).toBe(true);
        const spent = balanceOf(before, rules.quoteAsset).free.sub(balanceOf(after, rules.quoteAsset).free);
        const cost = order.filledQty.mul(order.avgPx ?? Decimal.ZERO);
        expect(order.feeCurrency === rules.quoteAsset ? spent.eq(cost.add(order.fee)) : spent.eq(cost)).toBe(true);
        expect(balanceOf(after, rules.quoteAsset).locked.eq(balanceOf(before, rules.quoteAsset).locked)).toBe(true);
        expect(expectOk(await s.exchange.fetchOrderByClientId(s.symbol, id), 'fetch').status).toBe(order.status);
      }));
  });
}
