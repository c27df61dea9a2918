import { DECISION_OUTCOMES, type DecisionOutcome } from '../../recorder/events/decision-events.js';
import type { LogFile } from '../../recorder/log-files.js';
import type { LocatedEvent } from './find-events.js';
import { laterRanked, ranked, type FileSummary, type RankedLine } from './why-summary.js';

/** One guard's refusals: how often, the values it saw against its threshold, the latest example. */
export interface GuardGroup {
  readonly guard: string;
  readonly count: number;
  /** Distinct "observed vs threshold" pairs, most frequent first. */
  readonly values: { observed: string; threshold: string; count: number }[];
  readonly latest: LocatedEvent;
}

export interface WhyReport {
  readonly decisions: number;
  /**
   * Decisions by outcome, in DECISION_OUTCOMES order. A decision that ended `failed` and was then
   * filled (a later BUY_FILLED of the same decision and session: the order watcher found the fill
   * of an order the router gave up on) counts as `filled`, as `orders`, `trace` and `sessions` count it.
   */
  readonly outcomes: Map<DecisionOutcome | 'unfinished', number>;
  /** Of outcomes' `filled`, the decisions that ended `failed` and were filled later. */
  readonly filledLate: number;
  /** Why part of the answer may be missing: the orders log (restart reconciliation's fills) could not be read. */
  readonly unread?: string;
  readonly guards: GuardGroup[];
  /** Latest DECISION_END of each non-blocked outcome, with its reason; for `failed`, of the decisions that stayed unfilled. */
  readonly latestByOutcome: Map<string, LocatedEvent>;
  readonly lastDecision: LocatedEvent | undefined;
  /** Decisions per symbol in the session and window, whatever the symbol asked for: what to offer when it has none. */
  readonly symbols: ReadonlyMap<string, number>;
  /** Sessions with decision lines in the window, whatever the session asked for. */
  readonly sessions: ReadonlySet<string>;
  /**
   * The same answer for the session of the latest matching decision line alone: what blocks the bot
   * now, which totals over every session (an older session's guard the most frequent) can hide.
   * With --session, that session's (the report itself). Set by explainNoBuys when any decision matched.
   */
  readonly latestSession?: { readonly sessionId: string; readonly report: WhyReport };
}

export interface WhyFilter {
  readonly symbol?: string;
  readonly session?: string;
}

type Pair = { observed: string; threshold: string; count: number; rank: number; first: number };

/**
 * Merges file summaries, in the query's file order, into the report. Memory: per session and symbol
 * counters and example lines, plus one entry per failed decision and per filled decision.
 */
export class WhyMerger {
  private starts = 0;
  private readonly ends = new Map<DecisionOutcome, number>();
  private readonly latest = new Map<DecisionOutcome, RankedLine>();
  private readonly guards = new Map<string, { count: number; latest: RankedLine; values: Map<string, Pair> }>();
  private lastDecision: RankedLine | undefined;
  private readonly symbols = new Map<string, number>();
  private readonly sessions = new Set<string>();
  /** Failed decisions by session and decision_id (a line without one gets a key no fill can match). */
  private readonly failed = new Map<string, RankedLine>();
  /**
   * Decisions with a later buy fill, by decision_id alone (ids are unique across sessions): the
   * order watcher of a restarted bot, or its reconciliation, books it in the later session.
   */
  private readonly fills = new Set<string>();

  constructor(private readonly filter: WhyFilter) {}

  add(summary: FileSummary, file: LogFile, rank: number): void {
    const { filter } = this;
    for (const s of summary.sessions) this.sessions.add(s);
    for (const g of summary.groups.values()) {
      if (filter.session && g.session !== filter.session) continue;
      if (g.symbol !== null && g.starts > 0) this.symbols.set(g.symbol, (this.symbols.get(g.symbol) ?? 0) + g.starts);
      if (filter.symbol && g.symbol !== filter.symbol) continue;
      this.starts += g.starts;
      if (g.lastStart) this.lastDecision = pick(this.lastDecision, ranked(g.lastStart, file, rank));
      for (const [outcome, end] of g.ends) {
        this.ends.set(outcome, (this.ends.get(outcome) ?? 0) + end.count);
        const line = pick(this.latest.get(outcome), ranked(end.latest, file, rank));
        this.latest.set(outcome, line);
      }
      for (const [guard, tally] of g.guards) {
        const into = this.guards.get(guard) ?? { count: 0, latest: ranked(tally.latest, file, rank), values: new Map<string, Pair>() };
        into.count += tally.count;
        into.latest = pick(into.latest, ranked(tally.latest, file, rank));
        for (const [key, v] of tally.values) {
          const pair = into.values.get(key);
          if (!pair) into.values.set(key, { observed: v.observed, threshold: v.threshold, count: v.count, rank, first: v.first });
          else {
            pair.count += v.count;
            if (rank < pair.rank || (rank === pair.rank && v.first < pair.first)) Object.assign(pair, { rank, first: v.first });
          }
        }
        this.guards.set(guard, into);
      }
      for (const line of g.failed) {
        const id = line.event.decision_id;
        this.failed.set(typeof id === 'string' ? `${g.session}\u0000${id}` : `\u0001${file.path}\u0000${line.offset}`, ranked(line, file, rank));
      }
    }
    for (const ids of summary.fills.values()) for (const id of ids) this.fills.add(id);
  }

  /** A buy that restart reconciliation found filled (ORDER_RECONCILED with a filled quantity). */
  addReconciledFill(decisionId: string): void {
    this.fills.add(decisionId);
  }

  finish(): WhyReport {
    const ends = [...this.ends.values()].reduce((a, b) => a + b, 0);
    let filledLate = 0;
    let latestFailed: RankedLine | undefined;
    for (const [key, line] of this.failed) {
      const decisionId = key.startsWith('\u0001') ? undefined : key.slice(key.indexOf('\u0000') + 1);
      if (decisionId !== undefined && this.fills.has(decisionId)) filledLate++;
      else latestFailed = pick(latestFailed, line);
    }
    const outcomes = new Map<DecisionOutcome | 'unfinished', number>();
    for (const o of DECISION_OUTCOMES) {
      const n = (this.ends.get(o) ?? 0) + (o === 'filled' ? filledLate : o === 'failed' ? -filledLate : 0);
      if (n > 0) outcomes.set(o, n);
    }
    // One DECISION_START and one DECISION_END per decision: starts without an end are unfinished.
    if (this.starts > ends) outcomes.set('unfinished', this.starts - ends);
    const latestByOutcome = new Map<string, LocatedEvent>();
    for (const [o, line] of this.latest) if (o !== 'failed') latestByOutcome.set(o, plain(line));
    if (latestFailed) latestByOutcome.set('failed', plain(latestFailed));
    const byFirst = (a: Pair, b: Pair): number => b.count - a.count || a.rank - b.rank || a.first - b.first;
    return {
      decisions: Math.max(this.starts, ends),
      outcomes,
      filledLate,
      guards: [...this.guards.entries()]
        .map(([guard, g]) => ({ guard, count: g.count, values: [...g.values.values()].sort(byFirst).map(({ observed, threshold, count }) => ({ observed, threshold, count })), latest: plain(g.latest) }))
        .sort((a, b) => b.count - a.count || (a.guard < b.guard ? -1 : 1)),
      latestByOutcome,
      lastDecision: this.lastDecision ? plain(this.lastDecision) : undefined,
      symbols: this.symbols,
      sessions: this.sessions,
    };
  }
}

function pick(a: RankedLine | undefined, b: RankedLine): RankedLine {
  return laterRanked(a, b) ? b : (a ?? b);
}

function plain(line: RankedLine): LocatedEvent {
  return { event: line.event, file: line.file, offset: line.offset, text: line.text };
}
