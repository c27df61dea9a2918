import type { EventType } from '../../recorder/events/catalog.js';
import type { LogFile } from '../../recorder/log-files.js';
import { collectGarbage as collectEndsGarbage, loadEnds, storeEnds, type SessionEnds } from './ends-cache.js';
import { eventNeedles } from './event-needles.js';
import { forEachEvent, inWindow, scanInputs, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import type { LogSet } from './log-set.js';
import { ORDER_TYPES } from './orders-tally.js';
import type { SkippedLines } from './skipped-lines.js';
import { collectGarbage, identify, loadSummary, storeSummary, type FileIdentity } from './why-cache.js';
import { summaryCovers, summaryOutside, type FileSummary } from './why-summary.js';

export type { SessionEnds } from './ends-cache.js';

/**
 * `sessions` reading decisions files. Of a decisions file it needs only each session's DECISION_END
 * count and latest DECISION_END ts. A rotated file it reads from its first byte is summarized so on
 * the way (ends-cache.ts), when the scan found no line of `sessions`' types but DECISION_ENDs, none
 * unreadable; later queries take a file wholly inside (or outside) their window from that summary.
 * `why`'s per-file summary (per session and symbol, per outcome: a count and the latest line) holds
 * the same counts, and serves too once checked for `sessions` (endSessions): a scan that also looked
 * for every line type `sessions` reads found the same counts and latest ts. Every other file is
 * scanned as before.
 */

export const SESSIONS_TYPES: readonly EventType[] = ['SESSION_START', 'SESSION_END', 'CONFIG_HASH', 'DECISION_END', ...ORDER_TYPES];

const SESSIONS_NEEDLES = eventNeedles(SESSIONS_TYPES);
const END_NEEDLE = eventNeedles(['DECISION_END'])[0] ?? '';

/** Per session, its DECISION_ENDs in the summary's groups (every outcome, every symbol). */
export function endsOf(summary: FileSummary): Map<string, SessionEnds> {
  const out = new Map<string, SessionEnds>();
  for (const g of summary.groups.values()) {
    for (const end of g.ends.values()) {
      const into = out.get(g.session);
      if (!into) out.set(g.session, { count: end.count, lastTs: end.latest.event.ts });
      else {
        into.count += end.count;
        if (end.latest.event.ts > into.lastTs) into.lastTs = end.latest.event.ts;
      }
    }
  }
  return out;
}

function sameEnds(a: ReadonlyMap<string, SessionEnds>, b: ReadonlyMap<string, SessionEnds>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y || y.count !== x.count || y.lastTs !== x.lastTs) return false;
  }
  return true;
}

export interface DecisionsReadOptions {
  /** Use and build the per-file summaries of rotated files (default true); false: scan every file. */
  readonly cache?: boolean;
}

export interface DecisionsHandlers {
  /** A scanned line of `sessions`' types in the window, as forEachEvent hands it over. */
  readonly onEvent: (e: LocatedEvent) => void;
  /** A summarized file's DECISION_ENDs of one session, all in the window; sessions in the order a scan meets them. */
  readonly onEnds: (session: string, ends: SessionEnds) => void;
}

export class DecisionsReader {
  private readonly live = new Set<string>();
  private readonly cache: boolean;

  constructor(
    private readonly set: LogSet,
    private readonly window: TimeWindow,
    private readonly skipped: SkippedLines,
    private readonly stats: SearchStats,
    options: DecisionsReadOptions = {},
  ) {
    this.cache = options.cache !== false;
  }

  async read(file: LogFile, on: DecisionsHandlers): Promise<void> {
    const { set, window, skipped, stats } = this;
    const size = set.sizes.get(file.path) ?? 0;
    const id = this.cache && !file.current ? identify(file, size) : null;
    if (id) this.live.add(id.base);
    // A summarized file had no unreadable line of any type `sessions` reads, so the lines a summary
    // leaves out would have reported nothing either.
    const own = id ? loadEnds(set.dataDir, id, SESSIONS_TYPES) : null;
    if (own) {
      if (summaryCovers(window, own)) this.handOver(own.sessions, on.onEnds);
      else if (summaryOutside(window, own)) stats.files++;
      else await forEachEvent(set, SESSIONS_NEEDLES, { window, files: [file], skipped, stats }, on.onEvent);
      return;
    }
    const cached = id ? loadSummary(set.dataDir, id) : null;
    if (cached?.endSessions && summaryCovers(window, cached)) {
      const ends = endsOf(cached);
      this.handOver(new Map(cached.endSessions.flatMap((session) => {
        const e = ends.get(session);
        return e ? [[session, e] as const] : [];
      })), on.onEnds);
      return;
    }
    if (cached?.endSessions && summaryOutside(window, cached)) {
      stats.files++;
      return;
    }
    // A rotated file the query reads from its first byte anyway is summarized on the way, for the next query.
    if (id && (scanInputs(set, [file], window.since)[0]?.from ?? 0) === 0) {
      await this.scanWhole(file, size, id, cached, on.onEvent);
      return;
    }
    await forEachEvent(set, SESSIONS_NEEDLES, { window, files: [file], skipped, stats }, on.onEvent);
  }

  /** Drops summaries of rotated files that are gone, as `why` does. */
  finish(): void {
    if (!this.cache) return;
    collectGarbage(this.set.dataDir, this.live);
    collectEndsGarbage(this.set.dataDir, this.live);
  }

  /** A summarized file's DECISION_ENDs, all in the window, in the order a scan meets their sessions. */
  private handOver(sessions: ReadonlyMap<string, SessionEnds>, onEnds: DecisionsHandlers['onEnds']): void {
    this.stats.files++;
    for (const [session, e] of sessions) {
      this.stats.sessions.add(session);
      onEnds(session, e);
    }
  }

  /**
   * One rotated file from its first byte, reporting and handing over exactly what forEachEvent with
   * `sessions`' needles would, and summarizing those lines for the next query (`why`'s summary of
   * the file, when there is one, is checked against them too).
   */
  private async scanWhole(file: LogFile, size: number, id: FileIdentity, cached: FileSummary | null, onEvent: (e: LocatedEvent) => void): Promise<void> {
    const { set, window, skipped, stats } = this;
    const ends = new Map<string, SessionEnds>();
    let firstTs: string | undefined;
    let lastTs: string | undefined;
    // onlyEnds: the lines of `sessions`' types were all DECISION_ENDs.
    let onlyEnds = true;
    const before = skipped.count;
    const sessions = new Set(stats.sessions);
    await forEachEvent(set, SESSIONS_NEEDLES, { files: [file], skipped, stats }, (e) => {
      const { event } = e;
      // A DECISION_END that only another type's needle found would be counted here and not by `why`.
      if (event.event_type !== 'DECISION_END' || !e.text.includes(END_NEEDLE)) onlyEnds = false;
      else {
        const known = ends.get(event.session_id);
        if (!known) ends.set(event.session_id, { count: 1, lastTs: event.ts });
        else {
          known.count++;
          if (event.ts > known.lastTs) known.lastTs = event.ts;
        }
        if (firstTs === undefined || event.ts < firstTs) firstTs = event.ts;
        if (lastTs === undefined || event.ts > lastTs) lastTs = event.ts;
      }
      if (!inWindow(event, window)) return;
      sessions.add(event.session_id);
      onEvent(e);
    });
    // The scan counted every session of the file; the query's stats count those in its window.
    stats.sessions.clear();
    for (const s of sessions) stats.sessions.add(s);
    // Stored only for a file with no unreadable line (the scan reported none), unchanged since it was identified (see why-query.ts).
    if (!onlyEnds || skipped.count !== before || JSON.stringify(identify(file, size)) !== JSON.stringify(id)) return;
    storeEnds(set.dataDir, id, file.path, SESSIONS_TYPES, { firstTs, lastTs, sessions: ends });
    if (cached && !cached.endSessions && sameEnds(ends, endsOf(cached))) {
      cached.endSessions = [...ends.keys()];
      storeSummary(set.dataDir, id, file.path, cached);
    }
  }
}
