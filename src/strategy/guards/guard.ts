import type { Decimal } from '../../domain/decimal.js';
import type { MarketRules } from '../../domain/market-rules.js';
import type { SmallestBuy } from '../../domain/order-rounding.js';

/** The buy guards, in the fixed order they are evaluated (BUY_BLOCKED's `guard`). */
export const GUARD_NAMES = [
  'global_trading',
  'max_open_positions',
  'already_in_position',
  'cooldown',
  'insufficient_balance',
  'stale_data',
  'daily_loss_limit',
  'volatility',
] as const;
export type GuardName = (typeof GUARD_NAMES)[number];

/** What BUY_BLOCKED can carry as observed value and threshold. */
export type GuardValue = number | string | boolean | null;

export type GuardResult =
  | { readonly pass: true }
  | {
      readonly pass: false;
      readonly guard: GuardName;
      readonly observed: GuardValue;
      readonly threshold: GuardValue;
      readonly message: string;
    };

/**
 * A day's realized PnL in one currency, as the daily loss limit reads it. A day booked before
 * realized PnL was kept per currency, by markets of this currency and others, is one row of all of
 * them added together that nothing can split (the day a data directory was upgraded, typically):
 * `unsplit` holds it, and this currency's part of it cannot be known.
 */
export interface RealizedToday {
  /** This currency's own realized PnL today, negative for a loss (on an unsplit day: what it booked since the upgrade). */
  readonly pnl: Decimal;
  /** Set when today is such a day and this currency is among those mixed in it (or the books name none). */
  readonly unsplit: UnsplitDay | undefined;
}

/** A day's realized PnL of several currencies together, from before they were kept apart. */
export interface UnsplitDay {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  /** The currencies added together in it, sorted; empty when the books name none. */
  readonly currencies: readonly string[];
  readonly realizedPnl: Decimal;
}

/** What the next buy may spend, against the smallest order its market takes at this bar's limit price. */
export interface BuyFunds {
  /** execution.quote_budget. */
  readonly budget: Decimal;
  /** What the buy would size from: the budget, at most the free quote balance. */
  readonly spendable: Decimal;
  /** The buy's limit price at this bar (its close plus the allowed slippage, on the tick). */
  readonly limitPx: Decimal;
  readonly smallest: SmallestBuy;
  readonly rules: MarketRules;
}

/**
 * What the guards look at, read-only, for one symbol at one moment. The engine implements it
 * (plain values or getters over its portfolio, feed and strategy); guards only read it.
 */
export interface GuardSnapshot {
  readonly symbol: string;
  /** Feed clock, ms UTC: the time the cooldown and data age are measured against. */
  readonly now: number;
  /** The GLOBAL_TRADING switch. */
  readonly tradingEnabled: boolean;
  /** Open positions, and buy orders not settled yet with no position in their symbol (each takes a slot once it fills). */
  readonly openPositions: number;
  /**
   * The symbols of those positions (and of those buys, said as such), given when they reach the
   * limit: max_open_positions names them, so a position in a symbol the session no longer trades is
   * not a bare count nobody can place.
   */
  readonly openSymbols?: readonly string[] | undefined;
  /**
   * True when a position in `symbol` is open, or an order on it is not settled yet. A crumb (a
   * remainder no order can sell that never cost the minimum order value: a partial IOC fill) is not
   * an open trade: a buy adds to it.
   */
  readonly hasPosition: boolean;
  /** Why that position stays, when it is not an ordinary open position (a trade no exit can sell): told with already_in_position. */
  readonly positionNote?: string;
  /**
   * The symbol's unsettled order (`buy int_... (submitted)`) when it, with no position open, is what
   * makes hasPosition true: already_in_position names it instead of a position that is not there.
   */
  readonly unsettledOrder?: string | undefined;
  /** When the last position in `symbol` was closed (ms UTC), null if never. */
  readonly lastExitAt: number | null;
  /** Quote currency free to spend. */
  readonly freeQuote: Decimal;
  /** The market's minimum order value in quote currency. */
  readonly minNotional: Decimal;
  /**
   * What the next buy may spend and what the smallest order the market takes costs (lot rounding and
   * taker fee included), asked only by insufficient_balance once the free balance passes the bare
   * minimum order value: sizing costs more than the rest of a bar's guards, and a buy the guard
   * lets through must be one the router sends (a balance of 6 USD passed "free >= 5", then sized
   * 0.0001 BTC worth 4.66 and failed min_notional on every signal).
   */
  readonly buyFunds?: () => BuyFunds;
  /** Age of the symbol's latest bar (StalenessTracker.ageMs), null before its first bar. */
  readonly dataAgeMs: number | null;
  /** Realized PnL since 00:00 UTC in the daily loss limit's currency, that currency's alone. */
  readonly realizedPnlToday: RealizedToday;
  /** ATR as % of price (Strategy.atrPercent), null while warming up. */
  readonly atrPercent: number | null;
}

/** The limits the guards hold the snapshot to; from the config, passed in by the engine. */
export interface GuardLimits {
  readonly maxOpenPositions: number;
  /** Time after an exit in a symbol before buying it again. */
  readonly cooldownMs: number;
  /** Data older than this blocks buying. */
  readonly staleAfterMs: number;
  /** A loss (positive amount of quote currency) at which buying stops for the day. */
  readonly dailyLossLimit: Decimal;
  /** The currency of dailyLossLimit (and of realizedPnlToday), named in the guard's message when given. */
  readonly dailyLossCurrency?: string;
  /** Buying stops while ATR is more than this % of price. */
  readonly maxAtrPercent: number;
}

/** One named rule: passes, or says what it saw against which limit. */
export interface BuyGuard {
  readonly name: GuardName;
  check(snapshot: GuardSnapshot, limits: GuardLimits): GuardResult;
}
