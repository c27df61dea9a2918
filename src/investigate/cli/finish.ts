import { findEvents, newStats, type LocatedEvent } from '../query/find-events.js';
import { knownSessions } from '../query/known-sessions.js';
import { describeEmpty, type LogSet } from '../query/log-set.js';
import type { SkippedLines } from '../query/skipped-lines.js';
import { noSessionMatch } from '../render/session-match.js';
import { EXIT } from '../exit-codes.js';
import type { QueryIo } from './query-io.js';

/** The end-of-query report of unreadable lines, on stderr so `--json | jq` stays clean. */
export async function reportSkipped(skipped: SkippedLines, io: QueryIo): Promise<void> {
  const report = await skipped.report();
  if (report) io.stderr.write(report);
}

/** Exit code 3 and a clear message when there is nothing to search. */
export function noLogs(set: LogSet, command: string, io: QueryIo): number | null {
  if (set.files.length > 0) return null;
  io.stderr.write(`tradetrace ${command}: ${describeEmpty(set)}\n`);
  return EXIT.noLogs;
}

export function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 * 1024 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** How many sessions the logs hold (from the small audit channel), for "searched N sessions". */
export async function countSessions(set: LogSet, skipped: SkippedLines): Promise<number> {
  const audit = set.files.filter((f) => f.channel === 'audit');
  const starts = await findEvents(set, ['"event_type":"SESSION_START"'], { files: audit, skipped, stats: newStats() });
  return new Set(starts.map((e) => e.event.session_id)).size;
}

export function sessionFilter(session: string | undefined): (e: LocatedEvent) => boolean {
  return session ? (e) => e.event.session_id === session : () => true;
}

/**
 * For a query that found nothing under --session: the no-session message (with the known ones) when
 * the session is none the data directory knows, else null (it exists, nothing of it matched).
 * `seen` are the sessions the query's own scan met (see knownSessions).
 */
export async function unknownSession(set: LogSet, skipped: SkippedLines, session: string | undefined, seen: Iterable<string> = [], hintDir?: string): Promise<string | null> {
  if (!session) return null;
  const known = await knownSessions(set, skipped, seen);
  return known.includes(session) ? null : noSessionMatch(known, session, set.logsDir, hintDir);
}
