import type { DecisionOutcome } from '../../recorder/events/decision-events.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { findEvents, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
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
}

export async function explainNoBuys(
  set: LogSet,
  filter: { symbol?: string; session?: string; window: TimeWindow },
  skipped: SkippedLines,
  stats: SearchStats,
): Promise<WhyReport> {
  const events = (await findEvents(set, eventNeedles(['DECISION_START', 'BUY_BLOCKED', 'DECISION_END']), { window: filter.window, files: filesOf(set, ['decisions']), skipped, stats }))
    .filter((e) => (!filter.symbol || (e.event as { symbol?: string }).symbol === filter.symbol) && (!filter.session || e.event.session_id === filter.session));
  const starts = new Set<string>();
  const ended = new Set<string>();
  const outcomes = new Map<DecisionOutcome | 'unfinished', number>();
  const latestByOutcome = new Map<string, LocatedEvent>();
  const guards = new Map<string, { count: number; values: Map<string, { observed: string; threshold: string; count: number }>; latest: LocatedEvent }>();
  let lastDecision: LocatedEvent | undefined;
  for (const e of events) {
    const id = e.event.decision_id ?? '';
    const ev = e.event;
    if (ev.event_type === 'DECISION_START') {
      starts.add(id);
      lastDecision = e;
    } else if (ev.event_type === 'DECISION_END') {
      ended.add(id);
      outcomes.set(ev.outcome, (outcomes.get(ev.outcome) ?? 0) + 1);
      latestByOutcome.set(ev.outcome, e);
    } else if (ev.event_type === 'BUY_BLOCKED') {
      const group = guards.get(ev.guard) ?? { count: 0, values: new Map<string, { observed: string; threshold: string; count: number }>(), latest: e };
      group.count++;
      group.latest = e;
      const observed = JSON.stringify(ev.observed);
      const threshold = JSON.stringify(ev.threshold);
      const key = `${observed} vs ${threshold}`;
      const pair = group.values.get(key) ?? { observed, threshold, count: 0 };
      pair.count++;
      group.values.set(key, pair);
      guards.set(ev.guard, group);
    }
  }
  const unfinished = [...starts].filter((id) => !ended.has(id)).length;
  if (unfinished > 0) outcomes.set('unfinished', unfinished);
  return {
    decisions: new Set([...starts, ...ended]).size,
    outcomes,
    guards: [...guards.entries()]
      .map(([guard, g]) => ({ guard, count: g.count, values: [...g.values.values()].sort((a, b) => b.count - a.count), latest: g.latest }))
      .sort((a, b) => b.count - a.count || (a.guard < b.guard ? -1 : 1)),
    latestByOutcome,
    lastDecision,
  };
}
