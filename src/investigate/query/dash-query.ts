import { eventNeedles, filesOf } from './event-needles.js';
import { findEvents, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { decisionOutcomes } from './decision-outcomes.js';
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
  filter: { type?: string; session?: string; window: TimeWindow; /** Look up how each linked decision ended (the text shows it; --json does not). */ outcomes?: boolean },
  skipped: SkippedLines,
  stats: SearchStats,
  sessions?: Set<string>,
): Promise<{ entries: DashEntry[]; outcomesLeftOut: string | undefined }> {
  const dash = (await findEvents(set, eventNeedles(['DASH_EVENT']), { window: filter.window, files: filesOf(set, ['dashboard']), skipped, stats })).filter((e) => {
    const ev = e.event;
    sessions?.add(ev.session_id);
    return ev.event_type === 'DASH_EVENT' && (!filter.type || ev.dashboard_event_type.toUpperCase() === filter.type.toUpperCase()) && (!filter.session || ev.session_id === filter.session);
  });
  const ids = [...new Set(dash.map((e) => e.event.decision_id).filter((x): x is string => typeof x === 'string'))];
  const found = filter.outcomes === false ? { outcomes: new Map<string, string>() } : await decisionOutcomes(set, ids, skipped, stats);
  const { outcomes } = found;
  const entries = dash.map((e) => {
    const ev = e.event as { dashboard_event_type?: string; source?: string };
    const decisionId = e.event.decision_id;
    return { event: e, type: ev.dashboard_event_type ?? '?', source: ev.source ?? '?', decisionId, decisionOutcome: decisionId ? outcomes.get(decisionId) : undefined };
  });
  return { entries, outcomesLeftOut: found.leftOut };
}
