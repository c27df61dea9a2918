import type { EventType } from '../../recorder/events/catalog.js';
import type { LogFile } from '../../recorder/log-files.js';
import { eventNeedles } from './event-needles.js';
import { forEachEvent, inWindow, scanInputs, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import type { LogSet } from './log-set.js';
import { ORDER_TYPES } from './orders-tally.js';
import type { SkippedLines } from './skipped-lines.js';
import { collectGarbage, identify, loadSummary, storeSummary, type FileIdentity } from './why-cache.js';
import { summaryCovers, summaryOutside, type FileSummary } from './why-summary.js';

/**
 * `sessions` reading decisions files. Of a decisions file it needs only each session's DECISION_END
 * count and latest DECISION_END ts, which `why`'s per-file summary of a rotated file already holds
 * (per session and symbol, per outcome: a count and the latest line). A summary is used for a file
 * wholly inside the window, and only when it was checked for `sessions` (endSessions): a scan that
 * also looked for every line type `sessions` reads found only DECISION_ENDs, none unreadable, and
 * the same counts and latest ts as the summary's. Every other file is scanned as before.
 */

export const SESSIONS_TYPES: readonly EventType[] = ['SESSION_START', 'SESSION_END', 'CONFIG_HASH', 'DECISION_END', ...ORDER_TYPES];

const SESSIONS_NEEDLES = eventNeedles(SESSIONS_TYPES);
const END_NEEDLE = eventNeedles(['DECISION_END'])[0] ?? '';

export interface SessionEnds {
  count: number;
  /** ts of the session's latest DECISION_END in the file. */
  lastTs: string;
}

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
    const cached = id ? loadSummary(set.dataDir, id) : null;
    // A checked summary's file had no unreadable line of any type `sessions` reads, so the lines
    // it leaves out would have reported nothing either.
    if (cached?.endSessions && summaryCovers(window, cached)) {
      stats.files++;
      const ends = endsOf(cached);
      for (const session of cached.endSessions) {
        const e = ends.get(session);
        if (!e) continue;
        stats.sessions.add(session);
        on.onEnds(session, e);
      }
      return;
    }
    if (cached?.endSessions && summaryOutside(window, cached)) {
      stats.files++;
      return;
    }
    // A rotated file the query reads from its first byte anyway gets its `why` summary checked on the
    // way, for the next query. Without one, the file is scanned as before and nothing is built: a
    // summary costs a scan of every decision line, three times `sessions`' own on the first run,
    // and `why` (whose scan reads them all anyway) builds it.
    if (id && cached && !cached.endSessions && (scanInputs(set, [file], window.since)[0]?.from ?? 0) === 0) {
      await this.scanWhole(file, size, id, cached, on.onEvent);
      return;
    }
    await forEachEvent(set, SESSIONS_NEEDLES, { window, files: [file], skipped, stats }, on.onEvent);
  }

  /** Drops summaries of rotated files that are gone, as `why` does. */
  finish(): void {
    if (this.cache) collectGarbage(this.set.dataDir, this.live);
  }

  /**
   * One rotated file from its first byte, reporting and handing over exactly what forEachEvent with
   * `sessions`' needles would, and checking the summary `why` built against those lines.
   */
  private async scanWhole(file: LogFile, size: number, id: FileIdentity, cached: FileSummary, onEvent: (e: LocatedEvent) => void): Promise<void> {
    const { set, window, skipped, stats } = this;
    const ends = new Map<string, SessionEnds>();
    const order: string[] = [];
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
        if (!known) {
          ends.set(event.session_id, { count: 1, lastTs: event.ts });
          order.push(event.session_id);
        } else {
          known.count++;
          if (event.ts > known.lastTs) known.lastTs = event.ts;
        }
      }
      if (!inWindow(event, window)) return;
      sessions.add(event.session_id);
      onEvent(e);
    });
    // The scan counted every session of the file; the query's stats count those in its window.
    stats.sessions.clear();
    for (const s of sessions) stats.sessions.add(s);
    // Stored only for a file with no unreadable line (the scan reported none), unchanged since it was identified (see why-query.ts).
    if (skipped.count !== before || JSON.stringify(identify(file, size)) !== JSON.stringify(id)) return;
    if (!onlyEnds || !sameEnds(ends, endsOf(cached))) return;
    cached.endSessions = order;
    storeSummary(set.dataDir, id, file.path, cached);
  }
}
