import { dirname } from 'node:path';
import { unrealizedPnl } from '../domain/unrealized-pnl.js';
import { Decimal } from '../domain/decimal.js';
import { splitSymbol } from '../domain/market-symbol.js';
import type { OrderRecord, PositionRecord, UnsplitDailyPnl } from '../store/records.js';
import type { StateStore } from '../store/state-store.js';
import { mayHold } from '../store/unsplit-pnl.js';
import type { RealizedToday } from '../strategy/guards/guard.js';
import { cursorPrices, type CursorPrice } from './replay-cursor.js';

const DAY_MS = 86_400_000;

/** What the portfolio holds at one moment, for the summary and the dashboard. */
export interface PortfolioView {
  readonly balances: ReadonlyMap<string, Decimal>;
  readonly positions: readonly PositionRecord[];
  /** Realized PnL over the data directory's life, per quote currency: never added across currencies. */
  readonly realizedPnl: ReadonlyMap<string, Decimal>;
  readonly unrealizedPnl: Decimal;
  /** What unrealizedPnl stands on, where it is not this session's prices (see Unrealized). */
  readonly unrealized: Unrealized;
  /** Fees paid over the data directory's life, per quote currency of the markets that paid them. */
  readonly feesPaid: ReadonlyMap<string, Decimal>;
}

/** Unrealized PnL of the open positions, and the positions it could not price this session. */
export interface Unrealized {
  /** Of the positions with a price known: this session's last, or the one before it (`earlier`). */
  readonly total: Decimal;
  /** Positions that got no price this session, priced at the last close a session before it decided (paper-cursor.json's). */
  readonly earlier: readonly (CursorPrice & { readonly symbol: string })[];
  /** Positions with no price known in the session's quote currency: not in `total`, which says nothing of them. */
  readonly unknown: readonly string[];
}

/**
 * Balances, positions (each with the decision_id that opened it and its entry), realized and
 * unrealized PnL and fees. The state store is the single source: every change to it is one SQLite
 * transaction made as the exchange reports a fill (see StoreSyncedExchange), and reads come from the
 * store's in-memory mirror, so asking costs no disk access. The portfolio adds what the store does
 * not keep: the last price of each symbol, for unrealized PnL and dust valuation.
 */
export class Portfolio {
  private readonly lastPrices = new Map<string, Decimal>();
  /** Open time of the bar each price in lastPrices is the close of. */
  private readonly lastPriceTimes = new Map<string, number>();
  private dayStart = Number.NaN;
  private dayText = '';
  /** The unsplit day dayText is, if it is one (written by migration 3 only, so read once per day). */
  private unsplitToday: UnsplitDailyPnl | undefined;
  private openCount = 0;
  private readonly orderSymbols = new Set<string>();
  private entriesPending: readonly string[] = [];

  /**
   * `earlierPrices`: each symbol's last price a session before this one decided, for a position that
   * gets no bar this session (a symbol not traded, or not yet reached); by default paper-cursor.json's
   * in the store's data directory, read once here, before this session writes it.
   */
  constructor(readonly store: StateStore, private readonly earlierPrices: ReadonlyMap<string, CursorPrice> = cursorPrices(dirname(store.path))) {
    this.refresh();
  }

  /**
   * Re-reads what the hot path asks on every bar (open position count, symbols with unsettled
   * orders); called after anything that may have changed them (an order, a poll, a reconciliation).
   */
  refresh(): void {
    this.openCount = this.store.positions().length;
    this.orderSymbols.clear();
    const buying = new Set<string>();
    for (const order of this.store.openOrders()) {
      this.orderSymbols.add(order.symbol);
      if (order.side === 'buy') buying.add(order.symbol);
    }
    this.entriesPending = [...buying].filter((symbol) => this.store.position(symbol) === undefined).sort();
  }

  /**
   * Symbols with a buy order not settled yet (a GTC buy resting, one in unknown state after a
   * timeout) and no position: each becomes a position when it fills, so it takes a slot of
   * max_open_positions now. Counted, a resting ETH buy and a BTC buy on the next bar both filled
   * under a limit of 1.
   */
  pendingEntries(): readonly string[] {
    return this.entriesPending;
  }

  get hasUnsettledOrders(): boolean {
    return this.orderSymbols.size > 0;
  }

  /** A fresh database gets the starting balances; a recovered one keeps what it holds. */
  seedBalances(balances: ReadonlyMap<string, Decimal>, ts: number): boolean {
    if (!this.store.created && this.store.balances().size > 0) return false;
    this.store.setBalances(balances, { ts });
    this.refresh();
    return true;
  }

  /** `openTime`: of the bar whose close `price` is; what says since when a symbol got no price. */
  markPrice(symbol: string, price: Decimal, openTime?: number): void {
    this.lastPrices.set(symbol, price);
    if (openTime !== undefined) this.lastPriceTimes.set(symbol, openTime);
  }

  /** Open time of the bar the symbol's last price this session came from, if it got one. */
  lastPriceAt(symbol: string): number | undefined {
    return this.lastPriceTimes.get(symbol);
  }

  lastPrice(symbol: string): Decimal | undefined {
    return this.lastPrices.get(symbol);
  }

  /**
   * This session's last price of the symbol, else the last close an earlier session decided (the
   * replay cursor's): what a held position is worth when no bar of it came yet this session, as
   * unrealized() counts it. Undefined when neither is known.
   */
  knownPrice(symbol: string): Decimal | undefined {
    return this.lastPrices.get(symbol) ?? this.earlierPrices.get(symbol)?.price;
  }

  position(symbol: string): PositionRecord | undefined {
    return this.store.position(symbol);
  }

  positions(): readonly PositionRecord[] {
    return this.store.positions();
  }

  openPositionCount(): number {
    return this.openCount;
  }

  free(asset: string): Decimal {
    return this.store.balance(asset);
  }

  /**
   * Realized PnL in `currency` of the UTC day `ts` falls in (the day's text is computed once per
   * day). Only that currency's: a loss in another is in other units, and no limit in this one may
   * count it. On a day booked before PnL was kept per currency that mixed this currency with
   * others, the mix comes with it (`unsplit`): this currency's part of it is not known.
   */
  realizedToday(ts: number, currency: string): RealizedToday {
    if (!(ts >= this.dayStart && ts < this.dayStart + DAY_MS)) {
      this.dayStart = ts - (ts % DAY_MS);
      this.dayText = new Date(this.dayStart).toISOString().slice(0, 10);
      this.unsplitToday = this.store.unsplitDay(this.dayText);
    }
    const unsplit = this.unsplitToday && mayHold(this.unsplitToday, currency) ? this.unsplitToday : undefined;
    return { pnl: this.store.realizedPnl(currency, this.dayText), unsplit };
  }

  /** True when an order on `symbol` is still unsettled: buying again could double the position. */
  hasOpenOrder(symbol: string): boolean {
    return this.orderSymbols.has(symbol);
  }

  /** An order on `symbol` not settled yet (resting, or its state unknown after a timeout), if any. */
  openOrder(symbol: string): OrderRecord | undefined {
    return this.orderSymbols.has(symbol) ? this.store.openOrders().find((order) => order.symbol === symbol) : undefined;
  }

  /** unrealized()'s total: of the positions whose price is known (see there). */
  unrealizedPnl(quoteCurrency?: string): Decimal {
    return this.unrealized(quoteCurrency).total;
  }

  /**
   * In `quoteCurrency` (trading.quote_currency), at this session's last price of each position's
   * symbol (every traded symbol quotes in it); one that got no bar this session (not traded, or not
   * reached yet) at the last close an earlier session decided, said as such, when it quotes in
   * `quoteCurrency` too (no currency given: none of those); any other is left out and named.
   * Adding 0 for it, as before, printed "+0" for two positions 4.19 USD down.
   */
  unrealized(quoteCurrency?: string): Unrealized {
    let total = Decimal.ZERO;
    const earlier: (CursorPrice & { symbol: string })[] = [];
    const unknown: string[] = [];
    for (const position of this.store.positions()) {
      const { symbol } = position;
      const px = this.lastPrices.get(symbol);
      if (px !== undefined) {
        total = total.add(unrealizedPnl(position, px));
        continue;
      }
      const before = this.earlierPrices.get(symbol);
      if (before !== undefined && quoteCurrency !== undefined && splitSymbol(symbol)?.quote === quoteCurrency) {
        total = total.add(unrealizedPnl(position, before.price));
        earlier.push({ symbol, ...before });
      } else unknown.push(symbol);
    }
    return { total, earlier, unknown };
  }

  /** `quoteCurrency`: the unrealized PnL's (see unrealized). */
  view(quoteCurrency?: string): PortfolioView {
    const unrealized = this.unrealized(quoteCurrency);
    return { balances: this.store.balances(), positions: this.store.positions(), realizedPnl: this.store.realizedByCurrency(), unrealizedPnl: unrealized.total, unrealized, feesPaid: this.store.feesByCurrency() };
  }
}
