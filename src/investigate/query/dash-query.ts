import { eventNeedles, filesOf } from './event-needles.js';
import { findEvents, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { decisionOutcomes } from './decision-outcomes.js';
import type { LogSet } from './log-set.js';
import { readableFields, type LineFields } from './line-fields.js';
import type { SkippedLines } from './skipped-lines.js';

/** Every field `dash` reads from a line: a DASH_EVENT that fails is reported as unreadable and left out. */
export const DASH_FIELDS: LineFields = {
  DASH_EVENT: { dashboard_event_type: 'string', source: 'string', message: 'string', decision_id: 'string?' },
};

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
    if (ev.event_type !== 'DASH_EVENT' || !readableFields(e, DASH_FIELDS, skipped)) return false;
    return (!filter.type || ev.dashboard_event_type.toUpperCase() === filter.type.toUpperCase()) && (!filter.session || ev.session_id === filter.session);
  });
  const ids = [...new Set(dash.map((e) => e.event.decision_id).filter((x): x is string => typeof x === 'string'))];
  const found = filter.outcomes === false ? { outcomes: new Map<string, string>() } : await decisionOutcomes(set, ids, skipped, stats);
  const { outcomes } = found;
  const entries = dash.flatMap((e) => {
    const ev = e.event;
    if (ev.event_type !== 'DASH_EVENT') return [];
    const decisionId = ev.decision_id;
    // The outcome is a field of another line, read by decision-outcomes.ts: only a name is shown.
    const outcome = decisionId ? outcomes.get(decisionId) : undefined;
    return [{ event: e, type: ev.dashboard_event_type, source: ev.source, decisionId, decisionOutcome: typeof outcome === 'string' ? outcome : undefined }];
  });
  return { entries, outcomesLeftOut: found.leftOut };
}
