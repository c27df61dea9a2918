import type { Candle } from '../../domain/candle.js';
import { Decimal } from '../../domain/decimal.js';
import type { MarketRules } from '../../domain/market-rules.js';
import { feeFor } from '../../domain/order-rounding.js';
import { isOpenStatus, transitionOrThrow } from '../../domain/order-state.js';
import { validateOrder } from '../../domain/order-validation.js';
import { ok } from '../../domain/result.js';
import { CLIENT_ORDER_ID } from '../client-order-id.js';
import { exchangeError, failure, type ExchangeResult } from '../exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../exchange.js';
import { FaultInjector, type FaultOperation, type FaultOptions } from './fault-injector.js';
import { DEFAULT_FILL_MODEL, candleLiquidity, immediateFillPrice, restingCrossed, type FillModelOptions } from './fill-model.js';
import { PaperBalances } from './paper-balances.js';
import { lockAssetOf, viewOrder, type PaperOrder } from './paper-order.js';
import { isPaperStateError, PaperStateError } from './paper-state-error.js';
import { PaperStateFile } from './paper-state-file.js';

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
  /**
   * Unix ms for order timestamps (default: the current candle's open time). An order is matched only
   * against candles that open at or after its last time stamp, so in a replay this must be the bar
   * time the order is placed at (a session places on a bar's close: the next bar's open).
   */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Keep the account (orders and balances) in a file, as a remote exchange keeps it whatever happens
   * to the bot: see paper-state-file.ts. Without it the account lives in memory and dies with the
   * instance. With it, `balances` are only the first run's: once the file exists it is the account,
   * and its balances win over the configured ones. The market is not part of the account: a reopened
   * exchange knows no candle (orders answer `unavailable` until onCandle), and its resting orders fill
   * on the candles it is fed next, except a candle that opened before an order's last time stamp (see
   * onCandle). The instance holds the file exclusively until close().
   */
  readonly state?: PaperStateOptions;
}

export interface PaperStateOptions {
  /** The state file, e.g. `<data-dir>/paper-exchange.sqlite`; created (with its folder) when missing. */
  readonly path: string;
  /** `normal` (default) survives a killed bot; `full` also survives power loss, at an fsync per change. */
  readonly synchronous?: 'normal' | 'full';
}

/**
 * Finished orders kept in memory besides the open ones: the router, the watcher and an exit's cancel
 * ask about an order just after it finished, and those answers need no file read.
 */
export const RECENTLY_FINISHED = 256;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An exchange simulated over market data: it is told each new candle (`onCandle`) and fills orders
 * as fill-model.ts describes, with the market rules, balances and reservations, fees and error kinds
 * of a real exchange, plus seeded fault injection (fault-injector.ts). Fees are charged in the quote
 * asset. One instance is one account: in memory, or in a state file (`state`), where every change is
 * committed before the call that made it answers (a fault `after` loses the answer, not the change).
 * If a commit fails the exchange stops: every later call answers `unavailable` and onCandle throws,
 * because an exchange that ran ahead of its own record would show the bot orders a restart forgets.
 */
export class PaperExchange implements Exchange {
  readonly name = 'paper';
  readonly faults: FaultInjector;
  private readonly marketsBySymbol = new Map<string, Required<PaperMarket>>();
  private readonly candles = new Map<string, Candle>();
  private readonly liquidity = new Map<string, Decimal>();
  /**
   * The orders held in memory, by client order id: every open one, and the last RECENTLY_FINISHED
   * finished ones. With a state file an older finished order is read back from it when asked about
   * (it never changes again), so memory stays bounded however long the account trades; without one,
   * memory is the only record and keeps every order.
   */
  private readonly orders = new Map<string, PaperOrder>();
  /** Client order ids of finished orders still in `orders`, oldest first. */
  private readonly finished = new Set<string>();
  /** The open orders, in the order they were accepted (time priority), so a candle never walks the history. */
  private readonly resting = new Set<PaperOrder>();
  private readonly wallet: PaperBalances;
  private readonly fillModel: FillModelOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly file: PaperStateFile | null = null;
  /** Orders changed since the last commit; a commit also writes every wallet. */
  private readonly dirty = new Set<PaperOrder>();
  private stoppedBy: PaperStateError | null = null;
  private orderSeq = 0;

  /** Throws PaperStateError when the state file cannot be opened, is damaged, or is held by another process. */
  constructor(private readonly options: PaperExchangeOptions) {
    for (const market of options.markets) {
      this.marketsBySymbol.set(market.rules.symbol, { rules: market.rules, candleVolumeIn: market.candleVolumeIn ?? 'base' });
    }
    this.wallet = new PaperBalances(options.balances);
    this.fillModel = { ...DEFAULT_FILL_MODEL, ...options.fillModel };
    this.faults = new FaultInjector(options.faults);
    this.sleep = options.sleep ?? defaultSleep;
    if (options.state) {
      const opened = PaperStateFile.open(options.state.path, this.wallet.snapshot(), options.state.synchronous ? { synchronous: options.state.synchronous } : {});
      this.file = opened.file;
      this.wallet = PaperBalances.restore(opened.state.balances);
      this.orderSeq = opened.state.lastSeq;
      for (const order of opened.state.orders) {
        this.orders.set(order.request.clientOrderId, order);
        this.resting.add(order);
      }
    }
  }

  /** The state file in use, and whether this instance created it (a first run); null when in memory. */
  get stateFile(): { readonly path: string; readonly created: boolean } | null {
    return this.file ? { path: this.file.path, created: this.file.created } : null;
  }

  /** Releases the state file (and its lock). Later calls answer `unavailable`; onCandle throws. */
  close(): void {
    this.stoppedBy ??= new PaperStateError('closed', `paper exchange ${this.file ? `on ${this.file.path} ` : ''}was closed`, { path: this.file?.path ?? '' });
    this.file?.close();
  }

  /**
   * The market moved: remembers the candle and fills resting orders its range crosses. A candle that
   * opened before an order's last time stamp (its creation, or its last fill) is history to that order:
   * it traded before the order was in the book, or was already matched against it. A reopened exchange
   * has no previous candle to refuse an old one by, so this is what keeps a replay fed from an earlier
   * point from filling orders on the past.
   */
  onCandle(symbol: string, candle: Candle): void {
    if (this.stoppedBy) throw this.stoppedBy;
    const market = this.marketsBySymbol.get(symbol);
    if (!market) throw new RangeError(`onCandle: unknown symbol ${JSON.stringify(symbol)}; expected one of ${[...this.marketsBySymbol.keys()].join(', ')}`);
    const previous = this.candles.get(symbol);
    if (previous && candle.openTime <= previous.openTime) {
      throw new RangeError(`onCandle ${symbol}: candle at ${candle.openTime} is not after the previous one at ${previous.openTime}`);
    }
    this.candles.set(symbol, candle);
    // Worked out when an order first needs it: most candles see no order, and it is exact Decimal division.
    this.liquidity.delete(symbol);
    for (const order of this.resting) {
      const { request } = order;
      if (request.symbol !== symbol || request.type !== 'limit' || candle.openTime < order.updatedAt) continue;
      if (restingCrossed(request.side, request.limitPx, candle)) this.fillUpTo(order, request.limitPx, 'maker');
    }
    this.commit();
  }

  /** The simulator's own view of an order, with no latency or fault: for tests and reports, not the port. */
  peekOrder(clientOrderId: string): ExchangeOrder | undefined {
    const order = this.order(clientOrderId);
    return order ? viewOrder(order) : undefined;
  }

  /** How many orders the instance holds in memory (open ones plus a few recently finished): for tests of its footprint. */
  get ordersInMemory(): number {
    return this.orders.size;
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
      const order = this.order(clientOrderId);
      if (!order || order.request.symbol !== symbol) return failure(exchangeError.notFound(`order ${clientOrderId} not found on ${symbol}`));
      return ok(viewOrder(order));
    });
  }

  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.call('cancelOrder', () => {
      const order = this.order(clientOrderId);
      if (!order || order.request.symbol !== symbol) return failure(exchangeError.notFound(`order ${clientOrderId} not found on ${symbol}`));
      if (isOpenStatus(order.status)) this.closeOrder(order, 'canceled');
      return ok(viewOrder(order));
    });
  }

  /** Latency, then the fault plan: a fault `before` skips the work, `after` does it and loses the answer. */
  private async call<T>(operation: FaultOperation, work: () => ExchangeResult<T>): Promise<ExchangeResult<T>> {
    const delay = this.faults.latency();
    // The caller stops waiting at its deadline: a slower answer is a timeout (see FaultInjector.plan).
    if (delay > 0) await this.sleep(Math.min(delay, this.faults.requestTimeoutMs));
    if (this.stoppedBy) return failure(exchangeError.unavailable(`paper exchange stopped: ${this.stoppedBy.message}`));
    const plan = this.faults.plan(operation, delay);
    if (plan.when === 'before') return failure(plan.error);
    let result: ExchangeResult<T>;
    try {
      result = work();
      this.commit();
    } catch (error) {
      if (!isPaperStateError(error)) throw error;
      // A record that cannot be written, or an order's row that cannot be read back, stops the exchange.
      this.stoppedBy ??= error;
      return failure(exchangeError.unavailable(`paper exchange stopped: ${error.message}`));
    }
    return plan.when === 'after' ? failure(plan.error) : result;
  }

  /** Writes what the last operation changed; on failure stops the exchange (see the class comment). */
  private commit(): void {
    if (this.dirty.size === 0) return;
    const changed = [...this.dirty];
    this.dirty.clear();
    if (!this.file) return;
    try {
      this.file.save(changed, this.wallet.snapshot());
    } catch (error) {
      this.stoppedBy = isPaperStateError(error) ? error : new PaperStateError('write_failed', `cannot write paper exchange state ${this.file.path}: ${String(error)}`, { path: this.file.path }, { cause: error });
      throw this.stoppedBy;
    }
    this.forgetOldFinished();
  }

  /**
   * Only after a save: every finished order is in the file by then, so one read back from it is
   * what memory held. Forgotten before, a read in between would find its row still open.
   */
  private forgetOldFinished(): void {
    for (const id of this.finished) {
      if (this.finished.size <= RECENTLY_FINISHED) return;
      this.finished.delete(id);
      this.orders.delete(id);
    }
  }

  /** The order in memory, else (with a state file) as the file keeps it: a finished order never changes again. */
  private order(clientOrderId: string): PaperOrder | undefined {
    return this.orders.get(clientOrderId) ?? this.file?.order(clientOrderId);
  }

  /**
   * A finished order leaves the book; with a state file it also leaves memory once RECENTLY_FINISHED
   * later ones have finished, at the next successful save (forgetOldFinished).
   */
  private finish(order: PaperOrder): void {
    this.resting.delete(order);
    const id = order.request.clientOrderId;
    if (this.file) this.finished.add(id);
  }

  private clock(symbol: string): number {
    return this.options.now?.() ?? this.candles.get(symbol)?.openTime ?? Date.now();
  }

  private touch(order: PaperOrder): void {
    // An exchange's own record never goes back in time: a caller's clock behind the order's last stamp
    // (a restarted bot cancelling at its resume time) must not date a change before the order existed.
    order.updatedAt = Math.max(order.updatedAt, this.clock(order.request.symbol));
    this.dirty.add(order);
    if (!isOpenStatus(order.status)) this.finish(order);
  }

  private place(request: PlaceOrderRequest): ExchangeResult<ExchangeOrder> {
    const { clientOrderId, symbol, side, qty } = request;
    if (!CLIENT_ORDER_ID.test(clientOrderId)) {
      return failure(exchangeError.invalidOrder('unsupported', `client order id ${JSON.stringify(clientOrderId)}: expected 1-36 of [A-Za-z0-9_-]`));
    }
    if (this.orders.has(clientOrderId) || this.file?.hasOrder(clientOrderId)) return failure(exchangeError.duplicateOrder(`duplicate client order id ${clientOrderId}`));
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
    const seq = ++this.orderSeq;
    const createdAt = this.clock(symbol);
    const order: PaperOrder = {
      request, lockPerUnit, seq, createdAt,
      exchangeOrderId: `paper-${seq}`,
      baseAsset: rules.baseAsset, quoteAsset: rules.quoteAsset,
      updatedAt: createdAt,
      status: transitionOrThrow('new', 'submitted'),
      filledQty: Decimal.ZERO, filledNotional: Decimal.ZERO, fee: Decimal.ZERO,
      locked: lockAmount,
    };
    this.orders.set(clientOrderId, order);
    this.dirty.add(order);

    const px = immediateFillPrice(rules, side, request.type === 'limit' ? request.limitPx : null, candle, this.fillModel.slippageBps);
    const available = this.available(symbol);
    if (px !== null && !(request.tif === 'FOK' && available.lt(qty))) this.fillUpTo(order, px, 'taker');
    if (request.tif !== 'GTC' && isOpenStatus(order.status)) {
      // Nothing filled: a limit beyond the close, or a marketable one the bar's volume left nothing
      // for (its share rounds to zero lots, earlier orders took it, or a FOK wanted more than there was).
      if (order.filledQty.isZero()) order.unfilledBecause = px === null ? 'beyond_limit' : 'no_liquidity';
      this.closeOrder(order, 'expired');
    }
    if (isOpenStatus(order.status)) this.resting.add(order);
    return ok(viewOrder(order));
  }

  /** What is left of the current candle's liquidity for the paper account (base units). */
  private available(symbol: string): Decimal {
    let left = this.liquidity.get(symbol);
    if (left === undefined) {
      const market = this.marketsBySymbol.get(symbol);
      const candle = this.candles.get(symbol);
      left = market && candle ? candleLiquidity(market.rules, candle, market.candleVolumeIn, this.fillModel.volumeParticipation) : Decimal.ZERO;
      this.liquidity.set(symbol, left);
    }
    return left;
  }

  /** Fills as much of the order's rest as this candle's remaining liquidity allows, at `px`. */
  private fillUpTo(order: PaperOrder, px: Decimal, role: 'maker' | 'taker'): void {
    const { request } = order;
    const rules = this.marketsBySymbol.get(request.symbol)?.rules;
    if (!rules) throw new RangeError(`fill of ${request.clientOrderId}: market ${request.symbol} is not configured`);
    const available = this.available(request.symbol);
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
    this.touch(order);
  }

  private closeOrder(order: PaperOrder, to: 'canceled' | 'expired'): void {
    order.status = transitionOrThrow(order.status, to);
    this.releaseLock(order);
    this.touch(order);
  }

  private releaseLock(order: PaperOrder): void {
    this.wallet.unlock(lockAssetOf(order), order.locked);
    order.locked = Decimal.ZERO;
  }
}
