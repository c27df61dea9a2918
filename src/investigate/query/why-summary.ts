import { DECISION_OUTCOMES, type DecisionOutcome } from '../../recorder/events/decision-events.js';
import type { LogFile } from '../../recorder/log-files.js';
import type { LocatedEvent, TimeWindow } from './find-events.js';
import { fieldsProblem, type LineFields } from './line-fields.js';

/**
 * What `why` needs of one log file, in a form that merges: per session and symbol, counters and the
 * latest example lines, never the lines themselves. A query builds one per file it scans (of the
 * lines in its window) and merges them, cached (whole-file) summaries of rotated files included,
 * through the same code: a cached answer cannot drift from a scanned one.
 */

/** A line kept as an example: where it is and its text (the event is its parse). */
export interface KeptLine {
  readonly offset: number;
  readonly text: string;
  readonly event: LocatedEvent['event'];
}

export interface GuardTally {
  count: number;
  latest: KeptLine;
  /** By `observed vs threshold`; `first`: offset of the pair's first line (ties in the report keep first-seen order). */
  readonly values: Map<string, { observed: string; threshold: string; count: number; first: number }>;
}

export interface SymbolGroup {
  readonly session: string;
  /** null: lines without a symbol field (a symbol filter never matches them). */
  readonly symbol: string | null;
  starts: number;
  lastStart: KeptLine | undefined;
  readonly ends: Map<DecisionOutcome, { count: number; latest: KeptLine }>;
  readonly guards: Map<string, GuardTally>;
  /** Every failed DECISION_END: a later BUY_FILLED of the same decision makes it bought (the order watcher's late fill). */
  readonly failed: KeptLine[];
}

export interface FileSummary {
  /** ts of the file's earliest and latest decision line: a cached summary serves only windows holding both. */
  firstTs: string | undefined;
  lastTs: string | undefined;
  readonly sessions: Set<string>;
  readonly groups: Map<string, SymbolGroup>;
  /** Per session, the decision_ids with a BUY_FILLED line. */
  readonly fills: Map<string, Set<string>>;
  /**
   * The sessions with a DECISION_END in the file, in the order of their first one: set only by a
   * scan that also looked for every line type `sessions` reads (sessions-decisions.ts) and found no
   * such line but DECISION_ENDs, none unreadable. `why` looks for its own types only, so a summary
   * it built says nothing of, say, a stray ORDER_FILLED line in the file: undefined, and `sessions`
   * scans the file rather than trust it.
   */
  endSessions: string[] | undefined;
}

export const OUTCOMES: ReadonlySet<string> = new Set(DECISION_OUTCOMES);
export const WHY_TYPES = ['DECISION_START', 'BUY_BLOCKED', 'DECISION_END', 'BUY_FILLED'] as const;

export function emptySummary(): FileSummary {
  return { firstTs: undefined, lastTs: undefined, sessions: new Set(), groups: new Map(), fills: new Map(), endSessions: undefined };
}

/** Whether `b` comes after `a` in (ts, seq); a tie goes to the line met first, as a file-order scan keeps it. */
export function laterLine(a: KeptLine | undefined, b: KeptLine): boolean {
  return !a || b.event.ts > a.event.ts || (b.event.ts === a.event.ts && b.event.seq > a.event.seq);
}

export function groupOf(summary: FileSummary, session: string, symbol: string | null): SymbolGroup {
  const key = `${session}\u0000${symbol ?? ''}\u0000${symbol === null ? 0 : 1}`;
  let group = summary.groups.get(key);
  if (!group) {
    group = { session, symbol, starts: 0, lastStart: undefined, ends: new Map(), guards: new Map(), failed: [] };
    summary.groups.set(key, group);
  }
  return group;
}

/**
 * Every field `why` reads from a line, by type: the one check of a line before addLine counts it.
 * The reader checks headers only, so a field these counts rest on is checked here and a line that
 * fails is left for the caller to report, never counted under a made-up outcome or guard.
 */
export const WHY_FIELDS: LineFields = {
  DECISION_START: { symbol: 'string?', decision_id: 'string?' },
  DECISION_END: { symbol: 'string?', decision_id: 'string?', outcome: DECISION_OUTCOMES, reason: 'string?' },
  BUY_BLOCKED: { symbol: 'string?', decision_id: 'string?', guard: 'string', observed: 'scalar', threshold: 'scalar', message: 'string?' },
  BUY_FILLED: { decision_id: 'string?' },
  // Read from orders.jsonl: a buy that restart reconciliation found filled (why-query.ts).
  ORDER_RECONCILED: { side: ['buy', 'sell'], filled_qty: 'number', decision_id: 'string?' },
};

/**
 * Adds one decision line; what is wrong with it instead, when a field `why` reads is not of its
 * type (WHY_FIELDS), leaving the summary as it was.
 */
export function addLine(summary: FileSummary, e: LocatedEvent): string | undefined {
  const problem = fieldsProblem(e, WHY_FIELDS);
  if (problem !== undefined) return problem;
  const ev = e.event;
  if (summary.firstTs === undefined || ev.ts < summary.firstTs) summary.firstTs = ev.ts;
  if (summary.lastTs === undefined || ev.ts > summary.lastTs) summary.lastTs = ev.ts;
  summary.sessions.add(ev.session_id);
  const line: KeptLine = { offset: e.offset, text: e.text, event: ev };
  const raw = (ev as { symbol?: unknown }).symbol;
  const symbol = typeof raw === 'string' ? raw : null;
  switch (ev.event_type) {
    case 'DECISION_START': {
      const group = groupOf(summary, ev.session_id, symbol);
      group.starts++;
      if (laterLine(group.lastStart, line)) group.lastStart = line;
      return undefined;
    }
    case 'DECISION_END': {
      const group = groupOf(summary, ev.session_id, symbol);
      const end = group.ends.get(ev.outcome) ?? { count: 0, latest: line };
      end.count++;
      if (laterLine(end.latest, line)) end.latest = line;
      group.ends.set(ev.outcome, end);
      if (ev.outcome === 'failed') group.failed.push(line);
      return undefined;
    }
    case 'BUY_BLOCKED': {
      const group = groupOf(summary, ev.session_id, symbol);
      const tally: GuardTally = group.guards.get(ev.guard) ?? { count: 0, latest: line, values: new Map() };
      tally.count++;
      if (laterLine(tally.latest, line)) tally.latest = line;
      const observed = JSON.stringify(ev.observed);
      const threshold = JSON.stringify(ev.threshold);
      const key = `${observed} vs ${threshold}`;
      const pair = tally.values.get(key) ?? { observed, threshold, count: 0, first: e.offset };
      pair.count++;
      tally.values.set(key, pair);
      group.guards.set(ev.guard, tally);
      return undefined;
    }
    case 'BUY_FILLED': {
      // Counted by decision, not by line: a resting order filled in parts writes one per part.
      const id = ev.decision_id;
      if (typeof id === 'string') {
        const ids = summary.fills.get(ev.session_id) ?? new Set<string>();
        ids.add(id);
        summary.fills.set(ev.session_id, ids);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A kept line as the report shows it, tagged with its file's place in the query's file order. */
export interface RankedLine extends LocatedEvent {
  readonly rank: number;
}

export function ranked(line: KeptLine, file: LogFile, rank: number): RankedLine {
  return { event: line.event, file, offset: line.offset, text: line.text, rank };
}

/** (ts, seq) order with ties to the line met first in the query's file order: the same line a full scan keeps. */
export function laterRanked(a: RankedLine | undefined, b: RankedLine): boolean {
  if (!a) return true;
  if (b.event.ts !== a.event.ts) return b.event.ts > a.event.ts;
  if (b.event.seq !== a.event.seq) return b.event.seq > a.event.seq;
  return b.rank < a.rank || (b.rank === a.rank && b.offset < a.offset);
}

/** The span of the lines a summary stands for: why's are every decision line, sessions' (ends-cache.ts) the DECISION_ENDs. */
export type SummarySpan = Pick<FileSummary, 'firstTs' | 'lastTs'>;

/** Whether every line the summary stands for is inside the window (a file with none trivially is). */
export function summaryCovers(window: TimeWindow, s: SummarySpan): boolean {
  if (s.firstTs === undefined || s.lastTs === undefined) return true;
  return (!window.since || s.firstTs >= window.since) && (!window.until || s.lastTs <= window.until);
}

/** Whether no line the summary stands for is inside the window: the query skips the file. */
export function summaryOutside(window: TimeWindow, s: SummarySpan): boolean {
  if (s.firstTs === undefined || s.lastTs === undefined) return true;
  return (window.since !== undefined && s.lastTs < window.since) || (window.until !== undefined && s.firstTs > window.until);
}
