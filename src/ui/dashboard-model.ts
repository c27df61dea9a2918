import { Decimal } from '../domain/decimal.js';
import { splitSymbol } from '../domain/market-symbol.js';
import { unrealizedPnl, type CostedPosition } from '../domain/unrealized-pnl.js';
import type { AlertTransition } from '../alerts/alert-transition.js';
import type { DashboardBus } from '../runtime/dashboard-bus.js';
import type { HeartbeatFields } from '../runtime/heartbeat-snapshot.js';
import type { DashboardEventView, DashboardView, DashboardViewSource, DecisionView, FiringAlertView, LoopHealthView, ResolvedAlertView } from './dashboard-view.js';

/** A position as the portfolio holds it (a PositionRecord will do): unrealized PnL is computed as the summary's is. */
export interface DashboardPositionInput extends CostedPosition {
  readonly symbol: string;
  readonly entryPx: Decimal;
  readonly decisionId: string;
}

export interface DashboardModelOptions {
  readonly maxEvents?: number;
  readonly maxDecisions?: number;
  /** How long a resolved alert stays on the dashboard (ms). Default 5 minutes. */
  readonly resolvedShownMs?: number;
  /** At most this many resolved alerts are kept to show. Default 3. */
  readonly maxResolved?: number;
}

/** The heartbeat's loop list as the dashboard shows it (coordinator.heartbeat() gives the input). */
export function loopsFromHeartbeat(heartbeat: Pick<HeartbeatFields, 'registered_threads'>): LoopHealthView[] {
  return heartbeat.registered_threads.map((t) => ({ name: t.name, alive: t.alive, lastBeatAgeS: t.last_beat_age_s }));
}

const severityRank = (severity: FiringAlertView['severity']): number => (severity === 'critical' ? 0 : 1);

/**
 * What the engine tells the dashboard. Every update is a field store and a counter bump, so the
 * engine pays next to nothing per bar; the work of building a frame happens in `view()`, called by
 * the dashboard's own timer at a bounded rate.
 */
export class DashboardModel implements DashboardViewSource {
  private changes = 0;
  private sessionId: string | undefined;
  private mode: string | undefined;
  private quoteCurrency: string | undefined;
  private bars = 0;
  private positions: readonly DashboardPositionInput[] = [];
  private readonly prices = new Map<string, Decimal>();
  private balances: readonly { asset: string; amount: Decimal }[] = [];
  private realized: ReadonlyMap<string, Decimal> = new Map();
  private fees: ReadonlyMap<string, Decimal> = new Map();
  private readonly events: DashboardEventView[] = [];
  private eventSeq = 0;
  private readonly decisions: DecisionView[] = [];
  private decisionCount = 0;
  private readonly failures = new Map<string, number>();
  private loopSource: (() => readonly LoopHealthView[]) | undefined;
  private priceSource: ((symbol: string) => Decimal | undefined) | undefined;
  private readonly firing = new Map<string, FiringAlertView>();
  private readonly resolved: ResolvedAlertView[] = [];
  private readonly maxEvents: number;
  private readonly maxDecisions: number;
  private readonly resolvedShownMs: number;
  private readonly maxResolved: number;

  constructor(options: DashboardModelOptions = {}) {
    this.maxEvents = options.maxEvents ?? 50;
    this.maxDecisions = options.maxDecisions ?? 20;
    this.resolvedShownMs = options.resolvedShownMs ?? 5 * 60_000;
    this.maxResolved = options.maxResolved ?? 3;
  }

  get version(): number {
    return this.changes;
  }

  /** `quoteCurrency` is the session's (trading.quote_currency): PnL in any other is labelled with its currency. */
  setSession(sessionId: string, mode: string, quoteCurrency: string): void {
    this.sessionId = sessionId;
    this.mode = mode;
    this.quoteCurrency = quoteCurrency;
    this.changes++;
  }

  /** One bar processed (any symbol): the progress counter. */
  countBar(): void {
    this.bars++;
    this.changes++;
  }

  setPositions(positions: readonly DashboardPositionInput[]): void {
    this.positions = positions;
    this.changes++;
  }

  /**
   * Where last prices come from when a frame is built (e.g. the feed's latest close), so the engine
   * need not push a price per bar. A price set with setPrice wins over it.
   */
  setPriceSource(source: (symbol: string) => Decimal | undefined): void {
    this.priceSource = source;
    this.changes++;
  }

  setPrice(symbol: string, price: Decimal): void {
    this.prices.set(symbol, price);
    this.changes++;
  }

  setBalances(balances: ReadonlyMap<string, Decimal>): void {
    this.balances = [...balances].map(([asset, amount]) => ({ asset, amount })).sort((a, b) => a.asset.localeCompare(b.asset));
    this.changes++;
  }

  /** Realized PnL and fees paid so far, each per quote currency (the portfolio's view gives both): never summed across currencies. */
  setPnl(realized: ReadonlyMap<string, Decimal>, fees: ReadonlyMap<string, Decimal>): void {
    this.realized = realized;
    this.fees = fees;
    this.changes++;
  }

  /** The engine's DecisionNote fits as is. */
  recordDecision(decision: Omit<DecisionView, 'detail'> & { readonly detail?: string | undefined }): void {
    this.decisions.push({ ...decision, detail: decision.detail });
    this.decisionCount++;
    if (this.decisions.length > this.maxDecisions) this.decisions.shift();
    this.changes++;
  }

  /** One more failed order intent; `reason` is ORDER_FAILED's machine-readable reason. */
  recordOrderFailure(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    this.changes++;
  }

  addEvent(event: { readonly type: string; readonly message: string; readonly source: string; readonly timestamp: string }): void {
    this.events.push({ seq: ++this.eventSeq, type: event.type, message: event.message, source: event.source, timestamp: event.timestamp });
    if (this.events.length > this.maxEvents) this.events.shift();
    this.changes++;
  }

  /** Receives every dashboard event from the bus. Returns the unsubscribe function. */
  attachBus(bus: Pick<DashboardBus, 'subscribe'>): () => void {
    return bus.subscribe('LiveDashboard', (event) => this.addEvent(event));
  }

  /**
   * One transition of the in-bot alert engine, as its notifiers get it (see DashboardAlertNotifier):
   * a firing shows until its resolution (same alert id) arrives, which then shows for a while.
   */
  recordAlert(transition: AlertTransition): void {
    if (transition.kind === 'fired') {
      const { alertId, rule, subject, severity, message, at } = transition;
      this.firing.set(alertId, { alertId, rule, subject, severity, message, since: at });
    } else {
      this.firing.delete(transition.alertId);
      const { alertId, rule, subject, message, firedAt, at } = transition;
      this.resolved.push({ alertId, rule, subject, message, firedAt, resolvedAt: at });
      if (this.resolved.length > this.maxResolved) this.resolved.shift();
    }
    this.changes++;
  }

  /** Loop health is read when a frame is built, e.g. `() => loopsFromHeartbeat(coordinator.heartbeat())`. */
  setLoopSource(source: () => readonly LoopHealthView[]): void {
    this.loopSource = source;
    this.changes++;
  }

  view(now: number): DashboardView {
    // A position's unrealized PnL is in its market's quote currency.
    const unrealized = new Map<string, Decimal>();
    const positions = this.positions.map((p) => {
      const lastPx = this.prices.get(p.symbol) ?? this.priceSource?.(p.symbol);
      const open = lastPx ? unrealizedPnl(p, lastPx) : undefined;
      if (open) {
        const quote = splitSymbol(p.symbol)?.quote ?? p.symbol;
        unrealized.set(quote, (unrealized.get(quote) ?? Decimal.ZERO).add(open));
      }
      return { symbol: p.symbol, qty: p.qty, entryPx: p.entryPx, lastPx, unrealizedPnl: open, decisionId: p.decisionId };
    });
    // The session's currency first, always shown once known; any other after it, each apart.
    const others = [...new Set([...this.realized.keys(), ...this.fees.keys(), ...unrealized.keys()])].filter((c) => c !== this.quoteCurrency).sort();
    const currencies = this.quoteCurrency === undefined ? others : [this.quoteCurrency, ...others];
    const pnl = currencies.map((currency) => ({
      currency, realized: this.realized.get(currency) ?? Decimal.ZERO, unrealized: unrealized.get(currency) ?? Decimal.ZERO, fees: this.fees.get(currency) ?? Decimal.ZERO,
    }));
    return {
      now, sessionId: this.sessionId, mode: this.mode, quoteCurrency: this.quoteCurrency, bars: this.bars, positions, balances: this.balances,
      pnl,
      events: [...this.events],
      eventCount: this.eventSeq,
      decisions: [...this.decisions],
      decisionCount: this.decisionCount,
      failures: [...this.failures].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
      loops: this.loopSource ? this.loopSource() : [],
      alerts: {
        firing: [...this.firing.values()].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.since - b.since),
        resolved: this.resolved.filter((r) => now - r.resolvedAt < this.resolvedShownMs).reverse(),
      },
    };
  }
}
