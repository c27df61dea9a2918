import { Decimal } from '../domain/decimal.js';
import { splitSymbol, type MarketAssets } from '../domain/market-symbol.js';
import type { OrderRecord, PositionRecord } from './records.js';
import { StoreError } from './store-error.js';

/** Scale of derived prices (average entry): far below any market's tick, so no visible rounding. */
const PRICE_SCALE = 18;

/** What a fill changes, worked out before anything is written: the store applies it in one transaction. */
export interface FillEffect {
  readonly deltaQty: Decimal;
  readonly deltaNotional: Decimal;
  readonly deltaFee: Decimal;
  /** The fee's value in quote currency (a base-currency fee is valued at the fill price). */
  readonly feeQuote: Decimal;
  readonly fillPx: Decimal;
  /** Added to each asset's balance (negative for what was paid). */
  readonly balanceDeltas: ReadonlyMap<string, Decimal>;
  /** The open position after the fill; `undefined` when there is none. */
  readonly position: Omit<PositionRecord, 'id' | 'updatedAt'> | undefined;
  readonly positionChange: 'opened' | 'added' | 'reduced' | 'closed' | 'none';
  readonly realizedPnl: Decimal;
}

/** The assets of `symbol` (splitSymbol), or a StoreError: the store books nothing it cannot give a currency. */
export function marketAssets(symbol: string): MarketAssets {
  const assets = splitSymbol(symbol);
  if (!assets) throw new StoreError('invalid_operation', `symbol ${JSON.stringify(symbol)} is not BASE/QUOTE (e.g. BTC/USDT)`, { found: symbol, expected: 'BASE/QUOTE' });
  return assets;
}

export interface CumulativeFill {
  readonly filledQty: Decimal;
  readonly avgPx: Decimal;
  /**
   * The exchange's exact cumulative qty x price. avgPx is rounded (18 places), so filledQty x avgPx
   * drifts from what the exchange moved once an order fills at several prices; absent only where
   * the reporter has no exact figure (then filledQty x avgPx stands in).
   */
  readonly filledNotional?: Decimal;
  readonly fee: Decimal;
  readonly feeCurrency: string;
}

/**
 * The effect of an order's cumulative fill, net of what the store already booked for that order:
 * booking the same exchange report twice (a retry, a reconciliation after a crash) changes nothing.
 */
export function fillEffect(order: OrderRecord, fill: CumulativeFill, position: PositionRecord | undefined, ts: number): FillEffect {
  const { base, quote } = marketAssets(order.symbol);
  const where = `order ${order.clientOrderId}`;
  if (order.feeCurrency !== undefined && !order.feeBooked.isZero() && order.feeCurrency !== fill.feeCurrency) {
    throw new StoreError('invalid_operation', `${where}: fee currency changed from ${order.feeCurrency} to ${fill.feeCurrency} between fills`, { found: fill.feeCurrency, expected: order.feeCurrency });
  }
  // A zero fee may come with any currency label (or none); only a fee actually charged must be valued.
  if (!fill.fee.isZero() && fill.feeCurrency !== base && fill.feeCurrency !== quote) {
    throw new StoreError('invalid_operation', `${where}: fee currency ${fill.feeCurrency} is neither ${base} nor ${quote}; the store values fees in the market's own currencies`, { found: fill.feeCurrency, expected: `${base} or ${quote}` });
  }
  const deltaQty = fill.filledQty.sub(order.filledQty);
  const deltaNotional = (fill.filledNotional ?? fill.filledQty.mul(fill.avgPx)).sub(order.filledNotional);
  const deltaFee = fill.fee.sub(order.feeBooked);
  if (deltaQty.isNegative() || deltaFee.isNegative()) {
    throw new StoreError('invalid_operation', `${where}: the fill reports ${fill.filledQty.toString()} filled and fee ${fill.fee.toString()}, less than the ${order.filledQty.toString()} and ${order.feeBooked.toString()} already booked`, { found: fill.filledQty.toString(), expected: `>= ${order.filledQty.toString()}` });
  }
  if (fill.filledQty.gt(order.qty)) {
    throw new StoreError('invalid_operation', `${where}: filled ${fill.filledQty.toString()} exceeds the order quantity ${order.qty.toString()}`, { found: fill.filledQty.toString(), expected: `<= ${order.qty.toString()}` });
  }
  const fillPx = deltaQty.isZero() ? fill.avgPx : deltaNotional.div(deltaQty, PRICE_SCALE);
  const feeInBase = fill.feeCurrency === base && !deltaFee.isZero();
  const feeQuote = feeInBase ? deltaFee.mul(fillPx) : deltaFee;
  const quoteFee = feeInBase ? Decimal.ZERO : deltaFee;
  const baseFee = feeInBase ? deltaFee : Decimal.ZERO;
  const deltas = new Map<string, Decimal>();
  const none = { deltaQty, deltaNotional, deltaFee, feeQuote, fillPx };

  if (order.side === 'buy') {
    deltas.set(quote, deltaNotional.add(quoteFee).neg());
    deltas.set(base, deltaQty.sub(baseFee));
    const netQty = deltaQty.sub(baseFee);
    // A base-currency fee may be reported after the fill it belongs to (a report with no new
    // quantity): it then comes out of the position. Only one that would take more than is held is wrong.
    const held = position?.qty ?? Decimal.ZERO;
    if (held.add(netQty).isNegative()) {
      throw new StoreError('invalid_operation', `${where}: its fee of ${deltaFee.toString()} ${base} exceeds the ${held.add(deltaQty).toString()} ${base} held with what this fill delivers`, { found: `fee ${deltaFee.toString()} ${base}`, expected: `<= ${held.add(deltaQty).toString()} ${base}` });
    }
    if (netQty.isZero() && deltaFee.isZero()) return { ...none, balanceDeltas: deltas, position, positionChange: 'none', realizedPnl: Decimal.ZERO };
    if (netQty.isZero() && !position) {
      // A fee charged with nothing received opens nothing: a position of 0 would block buying and
      // fire exits that sell nothing. The fee is money gone, so it is a realized loss of the day.
      return { ...none, balanceDeltas: deltas, position: undefined, positionChange: 'none', realizedPnl: feeQuote.neg() };
    }
    // The exact notional whenever the whole fill is received; a base-currency fee shrinks what is
    // received, and its value moves from the cost to the fees (cost and fees still add up to what was paid).
    const cost = netQty.eq(deltaQty) ? deltaNotional : deltaNotional.sub(feeQuote);
    if (!position) {
      return {
        ...none, balanceDeltas: deltas, positionChange: 'opened', realizedPnl: Decimal.ZERO,
        position: { symbol: order.symbol, qty: netQty, entryPx: fillPx, entryCost: cost, entryFees: feeQuote, feesPaid: feeQuote, realizedPnl: Decimal.ZERO, peakPx: fillPx, decisionId: order.decisionId, openedAt: ts },
      };
    }
    const qty = position.qty.add(netQty);
    const entryCost = position.entryCost.add(cost);
    const entryPx = qty.isZero() ? position.entryPx : entryCost.div(qty, PRICE_SCALE);
    // A buy of another decision adds only to a remainder no order could sell (the buy guards let
    // no other buy through): the position becomes that buy's trade, the remainder merged into it.
    // Its exit is traced to that decision, and its holding time and trailing-stop peak start at
    // this fill: the remainder's own (a peak from before a fall, a day's age) would sell the new
    // buy on its first bar. Cost and fees add up, so the sale realizes both exactly.
    const trade = order.decisionId === position.decisionId
      ? { decisionId: position.decisionId, openedAt: position.openedAt, peakPx: Decimal.max(position.peakPx, fillPx) }
      : { decisionId: order.decisionId, openedAt: ts, peakPx: fillPx };
    return {
      ...none, balanceDeltas: deltas, positionChange: 'added', realizedPnl: Decimal.ZERO,
      position: { ...position, ...trade, qty, entryPx, entryCost, entryFees: position.entryFees.add(feeQuote), feesPaid: position.feesPaid.add(feeQuote) },
    };
  }

  deltas.set(base, deltaQty.add(baseFee).neg());
  deltas.set(quote, deltaNotional.sub(quoteFee));
  if (!position) return { ...none, balanceDeltas: deltas, position: undefined, positionChange: 'none', realizedPnl: Decimal.ZERO };
  const sold = deltaQty.add(baseFee);
  if (sold.gt(position.qty)) {
    throw new StoreError('invalid_operation', `${where}: sells ${sold.toString()} ${base} but the open ${order.symbol} position holds ${position.qty.toString()}`, { found: sold.toString(), expected: `<= ${position.qty.toString()}` });
  }
  const qty = position.qty.sub(sold);
  // The sold part's share of the cost and of the entry fees; the last sale takes what is left, so
  // over the position's life the shares add up to exactly what it cost.
  const share = (held: Decimal): Decimal => (qty.isZero() ? held : held.mul(sold).div(position.qty, PRICE_SCALE));
  const costReleased = share(position.entryCost);
  const released = share(position.entryFees);
  const realizedPnl = deltaNotional.sub(quoteFee).sub(costReleased).sub(released);
  return {
    ...none, balanceDeltas: deltas, realizedPnl,
    positionChange: qty.isZero() ? 'closed' : 'reduced',
    position: { ...position, qty, entryCost: position.entryCost.sub(costReleased), entryFees: position.entryFees.sub(released), feesPaid: position.feesPaid.add(feeQuote), realizedPnl: position.realizedPnl.add(realizedPnl) },
  };
}
