import type { LogFile } from '../../recorder/log-files.js';
import { toLogReadError } from '../log-read-error.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { forEachEvent, inWindow, scanInputs, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import type { LogSet } from './log-set.js';
import { ordersNotReadWhole } from './orders-unread.js';
import type { SkippedLines } from './skipped-lines.js';
import { invalidFieldsLine, readableFields } from './line-fields.js';
import { collectGarbage, identify, loadSummary, storeSummary } from './why-cache.js';
import { WhyMerger, type WhyFilter, type WhyReport } from './why-merge.js';
import { addLine, emptySummary, summaryCovers, summaryOutside, WHY_FIELDS, WHY_TYPES, type FileSummary } from './why-summary.js';

export type { GuardGroup, WhyReport } from './why-merge.js';

export interface WhyOptions {
  /** Use and build the per-file summaries of rotated files (default true); false: scan every line. */
  readonly cache?: boolean;
}

const NEEDLES = eventNeedles([...WHY_TYPES]);
const RECONCILED = eventNeedles(['ORDER_RECONCILED']);

function matches(filter: WhyFilter, e: LocatedEvent): boolean {
  const symbol = (e.event as { symbol?: unknown }).symbol;
  return (!filter.session || e.event.session_id === filter.session) && (!filter.symbol || symbol === filter.symbol);
}



export async function explainNoBuys(
  set: LogSet,
  filter: WhyFilter & { window: TimeWindow },
  skipped: SkippedLines,
  stats: SearchStats,
  options: WhyOptions = {},
): Promise<WhyReport> {
  // Streamed into per-file summaries (counters and a few example lines), never the lines themselves.
  const { window } = filter;
  const merger = new WhyMerger(filter);
  // Kept (counters and a few lines each) to merge again for the latest session alone.
  const parts: { summary: FileSummary; file: LogFile; rank: number }[] = [];
  const add = (summary: FileSummary, file: LogFile, rank: number): void => {
    merger.add(summary, file, rank);
    parts.push({ summary, file, rank });
  };
  const reconciledFills: string[] = [];
  const live = new Set<string>();
  const files = filesOf(set, ['decisions']);
  for (const [rank, file] of files.entries()) {
    const size = set.sizes.get(file.path) ?? 0;
    const id = options.cache !== false && !file.current ? identify(file, size) : null;
    if (id) live.add(id.base);
    const cached = id ? loadSummary(set.dataDir, id) : null;
    // A cached file had no unreadable line (see scanWhole), so the lines it leaves out report nothing either.
    if (cached && summaryCovers(window, cached)) {
      stats.files++;
      for (const s of cached.sessions) stats.sessions.add(s);
      add(cached, file, rank);
      continue;
    }
    if (cached && summaryOutside(window, cached)) {
      stats.files++;
      continue;
    }
    // A rotated file the query reads from its first byte anyway is summarized whole, for the next query.
    const whole = id !== null && !cached && (scanInputs(set, [file], window.since)[0]?.from ?? 0) === 0;
    if (whole) {
      const { all, part, clean } = await scanWhole(set, file, filter, skipped, stats);
      add(part ?? all, file, rank);
      // Stored only for a file with no unreadable line, unchanged since it was identified: what a
      // query reports as unreadable is each line's number and text, which a summary would have to keep
      // line by line; a damaged file is rare and is simply scanned each time, reporting as always.
      if (clean && JSON.stringify(identify(file, size)) === JSON.stringify(id)) storeSummary(set.dataDir, id, file.path, all);
      continue;
    }
    const part = emptySummary();
    await forEachEvent(set, NEEDLES, { window, files: [file], skipped, stats }, (e) => {
      const problem = addLine(part, e);
      if (problem !== undefined && matches(filter, e)) skipped.add(invalidFieldsLine(e, problem));
    });
    add(part, file, rank);
  }
  if (options.cache !== false) collectGarbage(set.dataDir, live);
  // A buy in flight when the bot died is settled by the next start's reconciliation, in orders.jsonl
  // and in that later session: filled there, its decision was a purchase, as orders and sessions count it.
  // The decisions are the answer; an orders log it cannot read only costs those fills, and says so.
  let unread: string | undefined;
  try {
    await forEachEvent(set, RECONCILED, { window, files: filesOf(set, ['orders']), skipped, stats }, (e) => {
      const ev = e.event;
      if (ev.event_type !== 'ORDER_RECONCILED' || !readableFields(e, WHY_FIELDS, skipped)) return;
      if (ev.side === 'buy' && Number(ev.filled_qty) > 0 && typeof ev.decision_id === 'string') reconciledFills.push(ev.decision_id);
    });
  } catch (error) {
    const unreadable = toLogReadError(error);
    if (!unreadable) throw error;
    unread = `${unreadable.message}; buys that restart reconciliation found filled are counted as failed`;
  }
  unread ??= ordersCost(set);
  for (const id of reconciledFills) merger.addReconciledFill(id);
  const report = merger.finish();
  const latest = filter.session ?? latestSessionOf(report);
  let latestSession: WhyReport['latestSession'];
  if (report.decisions > 0 && latest !== undefined) {
    if (filter.session !== undefined) latestSession = { sessionId: latest, report };
    else {
      const alone = new WhyMerger({ ...filter, session: latest });
      for (const p of parts) alone.add(p.summary, p.file, p.rank);
      for (const id of reconciledFills) alone.addReconciledFill(id);
      latestSession = { sessionId: latest, report: alone.finish() };
    }
  }
  return { ...report, ...(latestSession === undefined ? {} : { latestSession }), ...(unread === undefined ? {} : { unread }) };
}

/** The session of the report's latest line: its latest decision start, else its latest end or refusal. */
function latestSessionOf(report: WhyReport): string | undefined {
  let latest: LocatedEvent | undefined;
  for (const e of [report.lastDecision, ...report.guards.map((g) => g.latest), ...report.latestByOutcome.values()]) {
    if (e && (!latest || e.event.ts > latest.event.ts || (e.event.ts === latest.event.ts && e.event.seq > latest.event.seq))) latest = e;
  }
  return latest?.event.session_id;
}

/**
 * One file read from its first byte: `all` its whole summary (for the cache), `part` the lines in
 * the window when there is one. `clean`: no line of the file was unreadable, torn or misshapen.
 */
async function scanWhole(
  set: LogSet,
  file: LogFile,
  filter: WhyFilter & { window: TimeWindow },
  skipped: SkippedLines,
  stats: SearchStats,
): Promise<{ all: FileSummary; part: FileSummary | undefined; clean: boolean }> {
  const { window } = filter;
  const windowed = window.since !== undefined || window.until !== undefined;
  const all = emptySummary();
  const part = windowed ? emptySummary() : undefined;
  const before = skipped.count;
  let clean = true;
  const sessions = new Set(stats.sessions);
  await forEachEvent(set, NEEDLES, { files: [file], skipped, stats }, (e) => {
    const problem = addLine(all, e);
    if (problem !== undefined) clean = false;
    if (!inWindow(e.event, window)) return;
    sessions.add(e.event.session_id);
    if (part) addLine(part, e);
    if (problem !== undefined && matches(filter, e)) skipped.add(invalidFieldsLine(e, problem));
  });
  // The scan counted every session of the file; the query's stats count those in its window.
  stats.sessions.clear();
  for (const s of sessions) stats.sessions.add(s);
  return { all, part, clean: clean && skipped.count === before };
}

/** The orders log files not read whole, said as what it costs the answer: the fills restart reconciliation found there are missing, so those buys count as failed. */
function ordersCost(set: LogSet): string | undefined {
  const unread = ordersNotReadWhole(set);
  if (unread.length === 0) return undefined;
  return `${unread.map((u) => u.path).join(', ')} could not be read whole; buys that restart reconciliation found filled there are counted as failed`;
}
