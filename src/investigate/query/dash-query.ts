import { eventNeedles, filesOf } from './event-needles.js';
import { findEvents, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import type { LogSet } from './log-set.js';
import type { SkippedLines } from './skipped-lines.js';

export interface DashEntry {
  readonly event: LocatedEvent;
  readonly type: string;
  readonly source: string;
  /** The decision whose context raised it, and how that decision ended (when found). */
  readonly decisionId: string | undefined;
  readonly decisionOutcome: string | undefined;
}

/**
 * Dashboard notifications, each with the code that raised it and the decision behind it. `sessions`
 * collects the session of every notification read, matching the filter or not.
 */
export async function findDashEvents(
  set: LogSet,
  filter: { type?: string; session?: string; window: TimeWindow },
  skipped: SkippedLines,
  stats: SearchStats,
  sessions?: Set<string>,
): Promise<DashEntry[]> {
  const dash = (await findEvents(set, eventNeedles(['DASH_EVENT']), { window: filter.window, files: filesOf(set, ['dashboard']), skipped, stats })).filter((e) => {
    const ev = e.event;
    sessions?.add(ev.session_id);
    return ev.event_type === 'DASH_EVENT' && (!filter.type || ev.dashboard_event_type.toUpperCase() === filter.type.toUpperCase()) && (!filter.session || ev.session_id === filter.session);
  });
  const ids = [...new Set(dash.map((e) => e.event.decision_id).filter((x): x is string => typeof x === 'string'))];
  const outcomes = new Map<string, string>();
  // The decision's outcome, when few enough decisions are linked to look them up in one pass.
  if (ids.length > 0 && ids.length <= 200) {
    const ends = await findEvents(set, ids.map((id) => `"decision_id":"${id}"`), { files: filesOf(set, ['decisions']), skipped, stats });
    for (const e of ends) if (e.event.event_type === 'DECISION_END' && e.event.decision_id) outcomes.set(e.event.decision_id, e.event.outcome);
  }
  return dash.map((e) => {
    const ev = e.event as { dashboard_event_type?: string; source?: string };
    const decisionId = e.event.decision_id;
    return { event: e, type: ev.dashboard_event_type ?? '?', source: ev.source ?? '?', decisionId, decisionOutcome: decisionId ? outcomes.get(decisionId) : undefined };
  });
}
