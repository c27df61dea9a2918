import { eventNeedles, filesOf } from './event-needles.js';
import { forEachEvent, type SearchStats } from './find-events.js';
import { readManifests, type LogSet, type SessionManifest } from './log-set.js';
import type { SkippedLines } from './skipped-lines.js';

/** A session that wrote no decision, and what its SESSION_END says of the bars it was fed. */
export interface UndecidedSession {
  readonly sessionId: string;
  /** SESSION_END's reason, else the manifest's; undefined: it has neither (running, or it died). */
  readonly exitReason: string | undefined;
  /** Bars the session was fed, and of them those that only warmed the indicators (its SESSION_END summary). */
  readonly bars: number | undefined;
  readonly warmupBars: number | undefined;
}

/** Whether `m` started after `after`: by start sequence where both have one, else by start time. */
function startedAfter(m: SessionManifest, after: SessionManifest | undefined): boolean {
  if (after === undefined) return true;
  if (m.sequence !== undefined && after.sequence !== undefined) return m.sequence > after.sequence;
  return m.start !== undefined && after.start !== undefined && m.start > after.start;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/**
 * The sessions that started after `after` (every session without it) and decided nothing, oldest
 * first, from the data directory's manifests: a replay of candles older than the directory's clock
 * only warms the indicators, and `why`, reading decisions alone, answered about the session before
 * it as if it were the latest, or said of it that its decision loop did not run.
 */
export async function undecidedSessions(
  set: LogSet,
  decided: ReadonlySet<string>,
  after: string | undefined,
  options: { skipped: SkippedLines; stats: SearchStats },
): Promise<UndecidedSession[]> {
  const manifests = readManifests(set.dataDir);
  const base = after === undefined ? undefined : manifests.get(after);
  const later = [...manifests.values()].filter((m) => !decided.has(m.session_id) && m.mode !== 'demo' && startedAfter(m, base));
  if (later.length === 0) return [];
  const wanted = new Set(later.map((m) => m.session_id));
  const ends = new Map<string, { reason: string; summary: Record<string, unknown> | undefined }>();
  await forEachEvent(set, eventNeedles(['SESSION_END']), { files: filesOf(set, ['audit']), skipped: options.skipped, stats: options.stats }, (e) => {
    if (e.event.event_type !== 'SESSION_END' || !wanted.has(e.event.session_id)) return;
    ends.set(e.event.session_id, { reason: e.event.reason, summary: e.event.summary });
  });
  const byStart = (a: SessionManifest, b: SessionManifest): number => (a.sequence ?? 0) - (b.sequence ?? 0) || ((a.start ?? '') < (b.start ?? '') ? -1 : 1);
  return later.sort(byStart).map((m) => {
    const end = ends.get(m.session_id);
    return {
      sessionId: m.session_id,
      exitReason: end?.reason ?? m.exit_reason ?? undefined,
      bars: count(end?.summary?.['bars']),
      warmupBars: count(end?.summary?.['warmup_bars']),
    };
  });
}
