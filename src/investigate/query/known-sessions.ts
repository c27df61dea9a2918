import { eventNeedles, filesOf } from './event-needles.js';
import { findEvents, newStats } from './find-events.js';
import { readManifests, type LogSet } from './log-set.js';
import type { SkippedLines } from './skipped-lines.js';

/**
 * Every session id the data directory knows, oldest first: each SESSION_START in the audit channel
 * (small, read whole, whatever the time window), each session directory with a manifest, and the
 * ids a query already met (`seen`). What a --session that matches none is checked against.
 */
export async function knownSessions(set: LogSet, skipped: SkippedLines, seen: Iterable<string> = []): Promise<string[]> {
  const ids = new Set(seen);
  const starts = await findEvents(set, eventNeedles(['SESSION_START']), { files: filesOf(set, ['audit']), skipped, stats: newStats() });
  for (const e of starts) ids.add(e.event.session_id);
  for (const id of readManifests(set.dataDir).keys()) ids.add(id);
  // session_YYYYMMDD_HHMMSS: the id's order is the start order.
  return [...ids].sort();
}
