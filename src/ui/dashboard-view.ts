import type { Decimal } from '../domain/decimal.js';

/**
 * Everything one frame of the dashboard shows, computed by the model when a frame is due: the
 * renderer only lays it out, so it can be tested on plain data.
 */
export interface PositionView {
  readonly symbol: string;
  readonly qty: Decimal;
  readonly entryPx: Decimal;
  readonly lastPx: Decimal | undefined;
  /** (last - entry) x qty; undefined until a price is known. */
  readonly unrealizedPnl: Decimal | undefined;
  /** The decision that opened the position. */
  readonly decisionId: string;
}

/** PnL in one quote currency: realized and fees over the data directory's life, unrealized of the positions priced now. */
export interface PnlView {
  readonly currency: string;
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: Decimal;
}

export interface DashboardEventView {
  /** Increases by one per event: plain output prints each event once by it. */
  readonly seq: number;
  readonly type: string;
  readonly message: string;
  /** file:line of the code that raised it. */
  readonly source: string;
  /** HH:MM:SS UTC. */
  readonly timestamp: string;
}

export interface DecisionView {
  readonly decisionId: string;
  readonly symbol: string;
  /** e.g. filled, blocked, no_signal, failed, error */
  readonly outcome: string;
  /** e.g. the guard that blocked it, or the failure reason. */
  readonly detail: string | undefined;
  readonly at: number /* ms UTC */;
}

export interface LoopHealthView {
  readonly name: string;
  readonly alive: boolean;
  /** Seconds since its last beat; null when it never beat. */
  readonly lastBeatAgeS: number | null;
}

/** An alert firing now, as the in-bot alert engine fired it. */
export interface FiringAlertView {
  readonly alertId: string;
  readonly rule: string;
  /** What it is about: a session, a symbol, a loop. */
  readonly subject: string;
  readonly severity: 'warning' | 'critical';
  readonly message: string;
  /** When its condition became true (ms UTC). */
  readonly since: number;
}

/** An alert resolved a short while ago: shown briefly, so one that came and went between two glances is still seen. */
export interface ResolvedAlertView {
  readonly alertId: string;
  readonly rule: string;
  readonly subject: string;
  /** Why it resolved. */
  readonly message: string;
  readonly firedAt: number /* ms UTC */;
  readonly resolvedAt: number /* ms UTC */;
}

export interface AlertsView {
  /** Critical first, then the oldest first. */
  readonly firing: readonly FiringAlertView[];
  /** The most recently resolved first; only those resolved within the model's recent window. */
  readonly resolved: readonly ResolvedAlertView[];
}

export interface DashboardView {
  readonly now: number /* ms UTC */;
  readonly sessionId: string | undefined;
  readonly mode: string | undefined;
  /** The session's quote currency (trading.quote_currency), once known: PnL in any other is labelled as such. */
  readonly quoteCurrency: string | undefined;
  readonly bars: number;
  readonly positions: readonly PositionView[];
  readonly balances: readonly { readonly asset: string; readonly amount: Decimal }[];
  /** One entry per currency, never added across currencies: the session's first (once known), then the others sorted. */
  readonly pnl: readonly PnlView[];
  /** Oldest first: the newest the model keeps, not all there were (eventCount). */
  readonly events: readonly DashboardEventView[];
  /** Dashboard events since the dashboard started, those no longer kept included. */
  readonly eventCount: number;
  /** Oldest first: the newest the model keeps, not all there were (decisionCount). */
  readonly decisions: readonly DecisionView[];
  /** Decisions since the dashboard started, those no longer kept included. */
  readonly decisionCount: number;
  /** Count per failure reason, most frequent first. */
  readonly failures: readonly { readonly reason: string; readonly count: number }[];
  readonly loops: readonly LoopHealthView[];
  readonly alerts: AlertsView;
}

/** What the terminal dashboard reads a frame from. `version` changes whenever the content does. */
export interface DashboardViewSource {
  readonly version: number;
  view(now: number): DashboardView;
}
