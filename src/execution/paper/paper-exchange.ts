import type { Candle } from '../../domain/candle.js';
import { Decimal } from '../../domain/decimal.js';
import type { MarketRules } from '../../domain/market-rules.js';
import { feeFor } from '../../domain/order-rounding.js';
import { isOpenStatus, transitionOrThrow, type OrderStatus } from '../../domain/order-state.js';
import { validateOrder } from '../../domain/order-validation.js';
import { ok } from '../../domain/result.js';
import { CLIENT_ORDER_ID } from '../client-order-id.js';
import { exchangeError, failure, type ExchangeResult } from '../exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../exchange.js';
import { FaultInjector, type FaultOperation, type FaultOptions } from './fault-injector.js';
import { DEFAULT_FILL_MODEL, candleLiquidity, immediateFillPrice, restingCrossed, type FillModelOptions } from './fill-model.js';
import { PaperBalances } from './paper-balances.js';

export interface PaperMarket {
  readonly rules: MarketRules;
  /** The unit of the feed's candle volume (default base). */
  readonly candleVolumeIn?: 'base' | 'quote';
}

export interface PaperExchangeOptions {
  readonly markets: readonly PaperMarket[];
  readonly balances: Readonly<Record<string, Decimal>>;
  readonly fillModel?: Partial<FillModelOptions>;
  readonly faults?: FaultOptions;
  /** Unix ms for order timestamps (default: the current candle's open time). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface PaperOrder {
  readonly request: PlaceOrderRequest;
  readonly exchangeOrderId: string;
  readonly createdAt: number;
  readonly rules: MarketRules;
  status: OrderStatus;
  filledQty: Decimal;
  filledNotional: Decimal;
  fee: Decimal;
  /** Funds still locked for the unfilled rest, and how much is locked per base unit. */
  locked: Decimal;
  readonly lockPerUnit: Decimal;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An exchange simulated over market data: it is told each new candle (`onCandle`) and fills orders
 * as fill-model.ts describes, with the market rules, balances and reservations, fees and error kinds
 * of a real exchange, plus seeded fault injection (fault-injector.ts). Fees are charged in the quote
 * asset. State lives in memory; one instance is one account.
 */
export class PaperExchange implements Exchange {
  readonly name = 'paper';
  readonly faults: FaultInjector;
  private readonly marketsBySymbol = new Map<string, Required<PaperMarket>>();
  private readonly candles = new Map<string, Candle>();
  private readonly liquidity = new Map<string, Decimal>();
  private readonly orders = new Map<string, PaperOrder>();
  private readonly wallet: PaperBalances;
  private readonly fillModel: FillModelOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private orderSeq = 0;

  constructor(private readonly options: PaperExchangeOptions) {
    for (const market of options.markets) {
      this.marketsBySymbol.set(market.rules.symbol, { rules: market.rules, candleVolumeIn: market.candleVolumeIn ?? 'base' });
    }
    this.wallet = new PaperBalances(options.balances);
    this.fillModel = { ...DEFAULT_FILL_MODEL, ...options.fillModel };
    this.faults = new FaultInjector(options.faults);
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The market moved: remembers the candle and fills resting orders its range crosses. */
  onCandle(symbol: string, candle: Candle): void {
    const market = this.marketsBySymbol.get(symbol);
    if (!market) throw new RangeError(`onCandle: unknown symbol ${JSON.stringify(symbol)}; expected one of ${[...this.marketsBySymbol.keys()].join(', ')}`);
    const previous = this.candles.get(symbol);
    if (previous && candle.openTime <= previous.openTime) {
      throw new RangeError(`onCandle ${symbol}: candle at ${candle.openTime} is not after the previous one at ${previous.openTime}`);
    }
    this.candles.set(symbol, candle);
    this.liquidity.set(symbol, candleLiquidity(market.rules, candle, market.candleVolumeIn, this.fillModel.volumeParticipation));
    for (const order of this.orders.values()) {
      const { request } = order;
      if (request.symbol !== symbol || !isOpenStatus(order.status) || request.type !== 'limit') continue;
      if (restingCrossed(request.side, request.limitPx, candle)) this.fillUpTo(order, request.limitPx, 'maker');
    }
  }

  /** The simulator's own view of an order, with no latency or fault: for tests and reports, not the port. */
  peekOrder(clientOrderId: string): ExchangeOrder | undefined {
    const order = this.orders.get(clientOrderId);
    return order ? this.view(order) : undefined;
  }

  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return this.call('markets', () => ok([...this.marketsBySymbol.values()].map((m) => m.rules)));
  }

  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return this.call('balances', () => ok(this.wallet.snapshot()));
  }

  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    return this.call('placeOrder', () => this.place(request));
  }

  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.call('fetchOrderByClientId', () => {
      const order = this.orders.get(clientOrderId);
      if (!order || order.request.symbol !== symbol) return failure(exchangeError.notFound(`order ${clientOrderId} not found on ${symbol}`));
      return ok(this.view(order));
    });
  }

  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.call('cancelOrder', () => {
      const order = this.orders.get(clientOrderId);
      if (!order || order.request.symbol !== symbol) return failure(exchangeError.notFound(`order ${clientOrderId} not found on ${symbol}`));
      if (isOpenStatus(order.status)) this.close(order, 'canceled');
      return ok(this.view(order));
    });
  }

  /** Latency, then the fault plan: a fault `before` skips the work, `after` does it and loses the answer. */
  private async call<T>(operation: FaultOperation, work: () => ExchangeResult<T>): Promise<ExchangeResult<T>> {
    const delay = this.faults.latency();
    if (delay > 0) await this.sleep(delay);
    const plan = this.faults.plan(operation);
    if (plan.when === 'before') return failure(plan.error);
    const result = work();
    return plan.when === 'after' ? failure(plan.error) : result;
  }

  private place(request: PlaceOrderRequest): ExchangeResult<ExchangeOrder> {
    const { clientOrderId, symbol, side, qty } = request;
    if (!CLIENT_ORDER_ID.test(clientOrderId)) {
      return failure(exchangeError.invalidOrder('unsupported', `client order id ${JSON.stringify(clientOrderId)}: expected 1-36 of [A-Za-z0-9_-]`));
    }
    if (this.orders.has(clientOrderId)) return failure(exchangeError.duplicateOrder(`duplicate client order id ${clientOrderId}`));
    const market = this.marketsBySymbol.get(symbol);
    if (!market) return failure(exchangeError.invalidOrder('unknown_symbol', `unknown symbol ${JSON.stringify(symbol)}`));
    const { rules } = market;
    const candle = this.candles.get(symbol);
    if (!candle) return failure(exchangeError.unavailable(`no market data for ${symbol} yet`));
    if (request.type === 'market' && request.tif !== 'IOC' && request.tif !== 'FOK') {
      return failure(exchangeError.invalidOrder('unsupported', `a market order cannot rest: tif ${String(request.tif)}, expected IOC or FOK`));
    }
    const marketPx = immediateFillPrice(rules, side, null, candle, this.fillModel.slippageBps);
    const checkPx = request.type === 'limit' ? request.limitPx : (marketPx ?? candle.close).quantize(rules.tickSize, 'half_even');
    const valid = validateOrder(rules, { side, qty, price: checkPx });
    if (!valid.ok) return failure(exchangeError.invalidOrder(valid.error.code, valid.error.message));

    const feeMax = Decimal.max(rules.makerFeeRate, rules.takerFeeRate);
    const lockAsset = side === 'buy' ? rules.quoteAsset : rules.baseAsset;
    // A buy locks its worst cost: the limit (or the market order's one fill price) plus the larger fee.
    const worstPx = request.type === 'limit' ? request.limitPx : (marketPx ?? candle.close);
    const lockPerUnit = side === 'buy' ? worstPx.mul(Decimal.ONE.add(feeMax)) : Decimal.ONE;
    const lockAmount = qty.mul(lockPerUnit);
    if (!this.wallet.lock(lockAsset, lockAmount)) {
      return failure(exchangeError.insufficientBalance(
        lockAsset,
        `insufficient balance: order needs ${lockAmount.toString()} ${lockAsset}, free ${this.wallet.free(lockAsset).toString()}`,
      ));
    }
    const order: PaperOrder = {
      request, rules, lockPerUnit,
      exchangeOrderId: `paper-${++this.orderSeq}`,
      createdAt: this.options.now?.() ?? candle.openTime,
      status: transitionOrThrow('new', 'submitted'),
      filledQty: Decimal.ZERO, filledNotional: Decimal.ZERO, fee: Decimal.ZERO,
      locked: lockAmount,
    };
    this.orders.set(clientOrderId, order);

    const px = immediateFillPrice(rules, side, request.type === 'limit' ? request.limitPx : null, candle, this.fillModel.slippageBps);
    const available = this.liquidity.get(symbol) ?? Decimal.ZERO;
    if (px !== null && !(request.tif === 'FOK' && available.lt(qty))) this.fillUpTo(order, px, 'taker');
    if (request.tif !== 'GTC' && isOpenStatus(order.status)) this.close(order, 'expired');
    return ok(this.view(order));
  }

  /** Fills as much of the order's rest as this candle's remaining liquidity allows, at `px`. */
  private fillUpTo(order: PaperOrder, px: Decimal, role: 'maker' | 'taker'): void {
    const { request, rules } = order;
    const available = this.liquidity.get(request.symbol) ?? Decimal.ZERO;
    const qty = Decimal.min(request.qty.sub(order.filledQty), available);
    if (!qty.isPositive()) return;
    const notional = qty.mul(px);
    const fee = feeFor(notional, role === 'maker' ? rules.makerFeeRate : rules.takerFeeRate);
    const released = qty.mul(order.lockPerUnit);
    if (request.side === 'buy') {
      this.wallet.spendLocked(rules.quoteAsset, released);
      this.wallet.credit(rules.quoteAsset, released.sub(notional).sub(fee));
      this.wallet.credit(rules.baseAsset, qty);
    } else {
      this.wallet.spendLocked(rules.baseAsset, released);
      this.wallet.credit(rules.quoteAsset, notional.sub(fee));
    }
    order.locked = order.locked.sub(released);
    order.filledQty = order.filledQty.add(qty);
    order.filledNotional = order.filledNotional.add(notional);
    order.fee = order.fee.add(fee);
    this.liquidity.set(request.symbol, available.sub(qty));
    order.status = transitionOrThrow(order.status, order.filledQty.eq(request.qty) ? 'filled' : 'partially_filled');
    if (order.status === 'filled' && order.locked.isPositive()) this.releaseLock(order);
  }

  private close(order: PaperOrder, to: 'canceled' | 'expired'): void {
    order.status = transitionOrThrow(order.status, to);
    this.releaseLock(order);
  }

  private releaseLock(order: PaperOrder): void {
    const { rules, request } = order;
    this.wallet.unlock(request.side === 'buy' ? rules.quoteAsset : rules.baseAsset, order.locked);
    order.locked = Decimal.ZERO;
  }

  private view(order: PaperOrder): ExchangeOrder {
    const { request } = order;
    return {
      clientOrderId: request.clientOrderId,
      exchangeOrderId: order.exchangeOrderId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      tif: request.tif,
      qty: request.qty,
      limitPx: request.type === 'limit' ? request.limitPx : null,
      status: order.status,
      filledQty: order.filledQty,
      avgPx: order.filledQty.isPositive() ? order.filledNotional.div(order.filledQty, 18, 'half_even') : null,
      fee: order.fee,
      feeCurrency: order.rules.quoteAsset,
      createdAt: order.createdAt,
    };
  }
}
