import type { DecisionOutcome } from '../recorder/events/decision-events.js';
import type { ExitRefusal } from '../recorder/events/order-events.js';

/** One decision as the dashboard and the summary see it. */
export interface DecisionNote {
  readonly decisionId: string;
  readonly symbol: string;
  readonly outcome: DecisionOutcome;
  /** The guard, the no-signal reason or the failure reason. */
  readonly detail: string | undefined;
  /** Bar time, ms UTC. */
  readonly at: number;
}

/** What the engine tells the outside while it runs (the terminal dashboard, in the CLI). */
export interface EngineObserver {
  onDecision?(note: DecisionNote): void;
  onOrderFailed?(reason: string): void;
  /** A fill or a reconciliation changed balances or positions. */
  onPortfolioChanged?(): void;
  onBar?(symbol: string): void;
}

/** Counters for the end-of-session summary. */
export class EngineStats {
  bars = 0;
  readonly decisions: Record<DecisionOutcome, number> = { blocked: 0, no_signal: 0, filled: 0, failed: 0, error: 0 };
  readonly blockedBy = new Map<string, number>();
  intents = 0;
  buys = 0;
  sells = 0;
  readonly failures = new Map<string, number>();
  /**
   * Fills the order watcher found. `buys`: buy decisions that had ended `failed` (the router gave up
   * on a timeout, or left a GTC order resting) whose order filled after all, as `why` counts them.
   * `failedOrders`: orders the router had failed (timeout_exhausted), buys and sells, filled later.
   */
  readonly filledLate = { buys: 0, failedOrders: 0 };
  /**
   * Spells in which an exit rule fired but no sell went out (one EXIT_BLOCKED each), by what
   * refused it, and the symbols whose position is held that way now: a stuck position shows.
   */
  exitsBlocked = 0;
  readonly exitsBlockedBy = new Map<ExitRefusal, number>();
  readonly exitBlockedNow = new Map<string, ExitRefusal>();
  /** The latest decision of each interesting kind: the summary ends with `tradetrace trace` for one. */
  lastFilled: string | undefined;
  lastFailed: string | undefined;
  lastError: string | undefined;
  private exitDecision: string | undefined;
  /** Decisions of this session that sent a buy (filled, or failed and maybe filled later). */
  private readonly orderedHere = new Set<string>();

  /**
   * The decision whose position an exit sold last, if it is one of this session's: the summary
   * offers it as "a decision of this session", and a position carried over from an earlier session
   * made it name that session's decision.
   */
  get lastExitDecision(): string | undefined {
    return this.exitDecision;
  }

  set lastExitDecision(id: string | undefined) {
    if (id !== undefined && this.orderedHere.has(id)) this.exitDecision = id;
  }

  decision(id: string, outcome: DecisionOutcome, detail?: string): void {
    this.decisions[outcome]++;
    if (outcome === 'filled' || outcome === 'failed') this.orderedHere.add(id);
    if (outcome === 'blocked' && detail !== undefined) this.blockedBy.set(detail, (this.blockedBy.get(detail) ?? 0) + 1);
    else if (outcome === 'filled') this.lastFilled = id;
    else if (outcome === 'failed') this.lastFailed = id;
    else if (outcome === 'error') this.lastError = id;
  }

  failure(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  /** A decision worth tracing: one whose position was also sold, else filled, failed, errored. */
  interestingDecision(): string | undefined {
    return this.lastExitDecision ?? this.lastFilled ?? this.lastFailed ?? this.lastError;
  }
}
