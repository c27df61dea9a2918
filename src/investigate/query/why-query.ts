import { DECISION_OUTCOMES, type DecisionOutcome } from '../../recorder/events/decision-events.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { forEachEvent, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import type { LogSet } from './log-set.js';
import type { SkippedLines } from './skipped-lines.js';

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
  readonly outcomes: Map<DecisionOutcome | 'unfinished', number>;
  readonly guards: GuardGroup[];
  /** Latest DECISION_END of each non-blocked outcome, with its reason. */
  readonly latestByOutcome: Map<string, LocatedEvent>;
  readonly lastDecision: LocatedEvent | undefined;
  /** Decisions per symbol in the session and window, whatever the symbol asked for: what to offer when it has none. */
  readonly symbols: ReadonlyMap<string, number>;
  /** Sessions with decision lines in the window, whatever the session asked for. */
  readonly sessions: ReadonlySet<string>;
}

const OUTCOMES: ReadonlySet<string> = new Set(DECISION_OUTCOMES);

export async function explainNoBuys(
  set: LogSet,
  filter: { symbol?: string; session?: string; window: TimeWindow },
  skipped: SkippedLines,
  stats: SearchStats,
): Promise<WhyReport> {
  // Streamed with counters, never the lines themselves: memory does not grow with the log.
  let starts = 0;
  let ends = 0;
  const outcomes = new Map<DecisionOutcome | 'unfinished', number>();
  const latestByOutcome = new Map<string, LocatedEvent>();
  const guards = new Map<string, { count: number; values: Map<string, { observed: string; threshold: string; count: number }>; latest: LocatedEvent }>();
  let lastDecision: LocatedEvent | undefined;
  const symbols = new Map<string, number>();
  const sessions = new Set<string>();
  const later = (a: LocatedEvent | undefined, b: LocatedEvent) => !a || b.event.ts > a.event.ts || (b.event.ts === a.event.ts && b.event.seq > a.event.seq);
  await forEachEvent(set, eventNeedles(['DECISION_START', 'BUY_BLOCKED', 'DECISION_END']), { window: filter.window, files: filesOf(set, ['decisions']), skipped, stats }, (e) => {
    const ev = e.event;
    sessions.add(ev.session_id);
    if (filter.session && ev.session_id !== filter.session) return;
    const symbol = (ev as { symbol?: string }).symbol;
    if (ev.event_type === 'DECISION_START' && symbol !== undefined) symbols.set(symbol, (symbols.get(symbol) ?? 0) + 1);
    if (filter.symbol && symbol !== filter.symbol) return;
    if (ev.event_type === 'DECISION_START') {
      starts++;
      if (later(lastDecision, e)) lastDecision = e;
    } else if (ev.event_type === 'DECISION_END') {
      // The reader checks headers only (see line-parse.ts): a field this count rests on is checked
      // here, so a damaged line is reported with the others, not counted under a made-up outcome.
      if (!OUTCOMES.has(ev.outcome)) {
        skipped.add({ file: e.file, offset: e.offset, code: 'invalid_field', message: `DECISION_END outcome ${JSON.stringify(ev.outcome)} is not one of ${DECISION_OUTCOMES.join(', ')}`, excerpt: e.text.slice(0, 120) });
        return;
      }
      ends++;
      outcomes.set(ev.outcome, (outcomes.get(ev.outcome) ?? 0) + 1);
      if (later(latestByOutcome.get(ev.outcome), e)) latestByOutcome.set(ev.outcome, e);
    } else if (ev.event_type === 'BUY_BLOCKED') {
      const group = guards.get(ev.guard) ?? { count: 0, values: new Map<string, { observed: string; threshold: string; count: number }>(), latest: e };
      group.count++;
      if (later(group.latest, e)) group.latest = e;
      const observed = JSON.stringify(ev.observed);
      const threshold = JSON.stringify(ev.threshold);
      const key = `${observed} vs ${threshold}`;
      const pair = group.values.get(key) ?? { observed, threshold, count: 0 };
      pair.count++;
      group.values.set(key, pair);
      guards.set(ev.guard, group);
    }
  });
  // One DECISION_START and one DECISION_END per decision: starts without an end are unfinished.
  if (starts > ends) outcomes.set('unfinished', starts - ends);
  return {
    decisions: Math.max(starts, ends),
    outcomes,
    guards: [...guards.entries()]
      .map(([guard, g]) => ({ guard, count: g.count, values: [...g.values.values()].sort((a, b) => b.count - a.count), latest: g.latest }))
      .sort((a, b) => b.count - a.count || (a.guard < b.guard ? -1 : 1)),
    latestByOutcome,
    lastDecision,
    symbols,
    sessions,
  };
}
