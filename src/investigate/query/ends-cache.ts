import { join } from 'node:path';
import { collectGarbage as collectCacheGarbage, loadBody, storeBody, type FileCache, type FileIdentity } from './file-cache.js';

/**
 * `sessions`' own per-file summaries of rotated decisions files, under `<data-dir>/index/sessions/`:
 * per session, its DECISION_END count and latest ts, which is all `sessions` takes from such a
 * file. Built from the scan `sessions` makes of a file it reads whole anyway (its first run costs
 * no more than before), and only when that scan found no line of the types it reads but
 * DECISION_ENDs, none unreadable: the summary then stands for every line the scan would hand over
 * or report. `why`'s summary (why-cache.ts) would serve as well, but building it means parsing
 * every decision line: two to three times the time of `sessions`' own scan, on its first run.
 */

export interface SessionEnds {
  count: number;
  /** ts of the session's latest DECISION_END in the file. */
  lastTs: string;
}

export interface FileEnds {
  /** ts of the file's earliest and latest DECISION_END; both undefined when it has none. */
  readonly firstTs: string | undefined;
  readonly lastTs: string | undefined;
  /** Per session with a DECISION_END in the file, in the order of its first one (the order a scan meets them). */
  readonly sessions: ReadonlyMap<string, SessionEnds>;
}

const KIND = 'tradetrace-sessions-ends';
const VERSION = 1;

export function endsCacheDir(dataDir: string): string {
  return join(dataDir, 'index', 'sessions');
}

const endsCache = (dataDir: string): FileCache => ({ dir: endsCacheDir(dataDir), kind: KIND, version: VERSION });

/**
 * `types`: the event types the building scan looked for. Stored with the summary, so that a
 * `sessions` that reads other types never trusts a summary that says nothing of them.
 */
export function storeEnds(dataDir: string, id: FileIdentity, path: string, types: readonly string[], ends: FileEnds): void {
  const body = { types, firstTs: ends.firstTs ?? null, lastTs: ends.lastTs ?? null, sessions: [...ends.sessions].map(([session, e]) => [session, e.count, e.lastTs]) };
  storeBody(endsCache(dataDir), id, path, JSON.stringify(body));
}

/** The summary cached for exactly this file, built by a scan for exactly `types`; else null (the caller scans). */
export function loadEnds(dataDir: string, id: FileIdentity, types: readonly string[]): FileEnds | null {
  const body = loadBody(endsCache(dataDir), id);
  return body === null ? null : decodeEnds(body, types);
}

const isTs = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Trusts nothing: every count a count, every ts inside the file's span, the span's end some session's latest. */
function decodeEnds(body: string, types: readonly string[]): FileEnds | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v['types']) || v['types'].join('\n') !== types.join('\n') || !Array.isArray(v['sessions'])) return null;
  const [firstTs, lastTs] = [v['firstTs'], v['lastTs']];
  const empty = firstTs === null && lastTs === null && v['sessions'].length === 0;
  if (empty) return { firstTs: undefined, lastTs: undefined, sessions: new Map() };
  if (!isTs(firstTs) || !isTs(lastTs) || firstTs > lastTs) return null;
  const sessions = new Map<string, SessionEnds>();
  let latest = '';
  for (const item of v['sessions'] as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) return null;
    const [session, count, ts] = item as unknown[];
    if (typeof session !== 'string' || sessions.has(session)) return null;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) return null;
    if (!isTs(ts) || ts < firstTs || ts > lastTs) return null;
    sessions.set(session, { count, lastTs: ts });
    if (ts > latest) latest = ts;
  }
  return latest === lastTs ? { firstTs, lastTs, sessions } : null;
}

/** Drops summaries of rotated files that are gone, as `why` does its own. */
export function collectGarbage(dataDir: string, live: ReadonlySet<string>): void {
  collectCacheGarbage(endsCacheDir(dataDir), live);
}
