import type { AnyEventLine } from '../../recorder/events/catalog.js';
import type { LogFile } from '../../recorder/log-files.js';
import { readLogLine } from './line-parse.js';
import { gunzipChunks } from '../scan/gunzip-chunks.js';
import { scanFileRange, StreamMatcher, type ScanSink } from '../scan/needle-scan.js';
import { scanFiles, type FoundLine, type ScanInput, type ScanOptions, type ScanOutcome } from '../scan/parallel-scan.js';
import { offsetBefore } from '../scan/time-seek.js';
import type { LogSet } from './log-set.js';
import type { SkippedLines } from './skipped-lines.js';

/** A parsed line and where it is, so every finding can name its file. */
export interface LocatedEvent {
  readonly event: AnyEventLine;
  readonly file: LogFile;
  readonly offset: number;
  /** The line as written, for exact numbers (JSON.parse would round a long decimal). */
  readonly text: string;
}

export interface TimeWindow {
  /** ISO 8601 UTC; lines older are left out. */
  readonly since?: string;
  readonly until?: string;
}

export interface SearchStats {
  files: number;
  bytes: number;
  candidates: number;
  sessions: Set<string>;
}

/** How far out of order (by ts) lines of one file may be: the watchdog thread writes with its own clock. */
export const ORDER_SLACK_MS = 5 * 60_000;

export function byTime(a: LocatedEvent, b: LocatedEvent): number {
  if (a.event.ts !== b.event.ts) return a.event.ts < b.event.ts ? -1 : 1;
  if (a.event.session_id === b.event.session_id) return a.event.seq - b.event.seq;
  return a.event.session_id < b.event.session_id ? -1 : 1;
}

export function shiftIso(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Scan inputs for a log set, each plain file starting where its lines reach `since` (minus slack). */
export function scanInputs(set: LogSet, files: readonly LogFile[], since?: string): ScanInput[] {
  return files.map((file) => {
    const size = set.sizes.get(file.path) ?? 0;
    const from = since && !file.gzipped ? offsetBefore(file.path, size, shiftIso(since, -ORDER_SLACK_MS)) : 0;
    return { file, size, from };
  });
}

/** Parses candidate lines; unreadable ones go to `skipped`, never stopping the query. */
export function parseFound(found: readonly FoundLine[], torn: readonly FoundLine[], skipped: SkippedLines): LocatedEvent[] {
  const out: LocatedEvent[] = [];
  for (const line of found) {
    const parsed = readLogLine(line.text);
    if (parsed.ok) out.push({ event: parsed.value, file: line.file, offset: line.offset, text: line.text });
    else skipped.add({ file: line.file, offset: line.offset, code: parsed.error.code, message: parsed.error.message, excerpt: line.text.slice(0, 120) });
  }
  for (const line of torn) {
    skipped.add({ file: line.file, offset: line.offset, code: 'truncated', message: 'the file ends inside this line (writer killed mid-write?)', excerpt: line.text.slice(0, 120) });
  }
  return out;
}

/** A scan's findings: its candidate lines parsed, and its torn and misshapen lines counted as skipped. */
export function parseOutcome(outcome: Omit<ScanOutcome, 'bytes'>, skipped: SkippedLines): LocatedEvent[] {
  for (const line of outcome.misshapen) skipped.addMisshapen(line.file, line.offset);
  return parseFound(outcome.lines, outcome.torn, skipped);
}

export function inWindow(event: AnyEventLine, window: TimeWindow): boolean {
  return (!window.since || event.ts >= window.since) && (!window.until || event.ts <= window.until);
}

/**
 * Every event on a line containing one of `needles`, in (ts, seq) order, within the time window.
 * The needles only pick candidates; callers check the parsed fields they care about.
 */
export async function findEvents(
  set: LogSet,
  needles: readonly string[],
  options: { window?: TimeWindow; files?: readonly LogFile[]; skipped: SkippedLines; stats?: SearchStats; scan?: ScanOptions },
): Promise<LocatedEvent[]> {
  const files = options.files ?? set.files;
  const window = options.window ?? {};
  const outcome = await scanFiles(scanInputs(set, files, window.since), needles, options.scan ?? {});
  const events = parseOutcome(outcome, options.skipped).filter((e) => inWindow(e.event, window));
  if (options.stats) {
    options.stats.files += files.length;
    options.stats.bytes += outcome.bytes;
    options.stats.candidates += outcome.lines.length;
    for (const e of events) options.stats.sessions.add(e.event.session_id);
  }
  return events.sort(byTime);
}

export function newStats(): SearchStats {
  return { files: 0, bytes: 0, candidates: 0, sessions: new Set() };
}

/** Bytes of a plain file scanned per step by forEachEvent (memory is bounded by the scan's 4 MB chunk anyway). */
export const ROUND_BYTES = 64 * 1024 * 1024;

/**
 * Streams the events on lines containing one of `needles` to `onEvent` as the scan meets them, file
 * by file (oldest first), on this thread: each candidate line is parsed and handed over at once, so
 * memory is the scan's read buffer plus what `onEvent` keeps, whatever the log size. (Parsing the
 * candidates, not finding them, is what these full-log queries spend their time on, and it happens
 * here anyway.) Events come in file order, not global time order: aggregations compare `ts`.
 */
export async function forEachEvent(
  set: LogSet,
  needles: readonly string[],
  options: { window?: TimeWindow; files?: readonly LogFile[]; skipped: SkippedLines; stats?: SearchStats; roundBytes?: number },
  onEvent: (e: LocatedEvent) => void,
): Promise<void> {
  const files = options.files ?? set.files;
  const window = options.window ?? {};
  const step = options.roundBytes ?? ROUND_BYTES;
  const buffers = needles.map((n) => Buffer.from(n, 'utf8'));
  const stats = options.stats;
  if (stats) stats.files += files.length;
  for (const input of scanInputs(set, files, window.since)) {
    const sink: ScanSink = {
      hit(offset, text) {
        if (stats) stats.candidates++;
        for (const e of parseFound([{ file: input.file, offset, text }], [], options.skipped)) {
          if (!inWindow(e.event, window)) continue;
          stats?.sessions.add(e.event.session_id);
          onEvent(e);
        }
      },
      torn(offset, text) {
        parseFound([], [{ file: input.file, offset, text }], options.skipped);
      },
      misshapen(offset) {
        options.skipped.addMisshapen(input.file, offset);
      },
    };
    if (input.file.gzipped) {
      const matcher = new StreamMatcher(buffers, sink);
      for await (const chunk of gunzipChunks(input.file.path)) {
        if (stats) stats.bytes += chunk.length;
        matcher.push(chunk);
      }
      matcher.end();
      continue;
    }
    const fileSize = set.sizes.get(input.file.path) ?? input.size;
    for (let start = input.from; start < input.size; start += step) {
      const end = Math.min(input.size, start + step);
      scanFileRange(input.file.path, start, end, fileSize, buffers, sink);
      if (stats) stats.bytes += end - start;
      // Let timers and signals run between steps of a long scan.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
