import { statSync } from 'node:fs';
import type { FileFingerprint, PrefixHash } from '../market-data/index.js';
import { linesBackwards } from '../recorder/lines-backwards.js';
import { searchNewestFirst, wholeLineChunks, type OnUnreadableLog } from './rotated-log-read.js';

// FEED_START sits near the start of its session, and the system log holds the heartbeats of every
// session since: as far back as the decision log's search (last-decided-bar), then no further.
const MAX_BYTES = 64 * 1024 * 1024;
const FEED_START = '"event_type":"FEED_START"';

/** Per session, per symbol: the candle file as that session's replay read it (its FEED_START). */
export type LoggedFingerprints = Map<string, Map<string, FileFingerprint>>;

function isPrefix(value: unknown): value is PrefixHash {
  const v = value as { bytes?: unknown; sha256?: unknown } | null;
  return typeof v === 'object' && v !== null && Number.isInteger(v.bytes) && typeof v.sha256 === 'string';
}

/** A replay's FEED_START line of one of `sessions`: its session and, per symbol, its file's fingerprint. */
function parseFeedStart(line: string, sessions: ReadonlySet<string>): [string, Map<string, FileFingerprint>] | undefined {
  if (!line.includes(FEED_START)) return undefined;
  let parsed: { session_id?: unknown; kind?: unknown; symbols?: unknown; sources?: unknown; fingerprints?: unknown };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    return undefined;
  }
  const { session_id: session, symbols, sources, fingerprints } = parsed;
  if (typeof session !== 'string' || !sessions.has(session) || parsed.kind !== 'replay') return undefined;
  if (!Array.isArray(symbols) || !Array.isArray(sources) || !Array.isArray(fingerprints)) return [session, new Map()];
  const bySymbol = new Map<string, FileFingerprint>();
  symbols.forEach((symbol, i) => {
    const source: unknown = sources[i];
    const found: unknown = fingerprints.find((fp) => (fp as { source?: unknown } | null)?.source === source);
    if (typeof symbol !== 'string' || !isPrefix(found)) return;
    const checkpoints = (found as { checkpoints?: unknown }).checkpoints;
    const valid = Array.isArray(checkpoints) && checkpoints.length > 0 && checkpoints.every(isPrefix);
    bySymbol.set(symbol, { bytes: found.bytes, sha256: found.sha256, ...(valid ? { checkpoints } : {}) });
  });
  return [session, bySymbol];
}

function searchPlain(path: string, sessions: ReadonlySet<string>, found: LoggedFingerprints, budget: number): number {
  const size = statSync(path).size;
  for (const line of linesBackwards(path, budget)) {
    const start = parseFeedStart(line, sessions);
    if (start !== undefined && !found.has(start[0])) found.set(...start);
    if (found.size === sessions.size) break;
  }
  return Math.min(size, budget);
}

/** A .gz from its start: the last FEED_START of each session in it counts. */
async function searchGzipped(unzipped: AsyncIterable<Buffer>, sessions: ReadonlySet<string>, found: LoggedFingerprints): Promise<number> {
  const here: LoggedFingerprints = new Map();
  const bytes = await wholeLineChunks(unzipped, (data, whole) => {
    for (const line of data.toString('utf8', 0, whole).split('\n')) {
      const start = parseFeedStart(line, sessions);
      if (start !== undefined) here.set(...start);
    }
  });
  for (const [session, bySymbol] of here) if (!found.has(session)) found.set(session, bySymbol);
  return bytes;
}

/**
 * The candle files `sessions` replayed, as their FEED_START lines logged them (newest system log
 * file first, rotated and gzipped ones included, up to MAX_BYTES back): what a restart compares
 * its files' rows before the resume point with (see dataChangeIn). A session not found (its log
 * rotated away or deleted, a session that never started its feed) is left out; a rotated file that
 * cannot be read ends the search, reported to `onUnreadable`.
 */
export async function loggedFingerprints(logsDir: string, sessions: ReadonlySet<string>, onUnreadable: OnUnreadableLog = () => undefined): Promise<LoggedFingerprints> {
  const found: LoggedFingerprints = new Map();
  const reads = { plain: (path: string, budget: number) => searchPlain(path, sessions, found, budget), gzipped: (unzipped: AsyncIterable<Buffer>) => searchGzipped(unzipped, sessions, found) };
  await searchNewestFirst(logsDir, 'system', reads, () => found.size === sessions.size, MAX_BYTES, onUnreadable);
  return found;
}
