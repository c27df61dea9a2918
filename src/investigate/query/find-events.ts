import type { AnyEventLine } from '../../recorder/events/catalog.js';
import type { LogFile } from '../../recorder/log-files.js';
import { readLogLine } from './line-parse.js';
import { scanFiles, type FoundLine, type ScanInput, type ScanOptions } from '../scan/parallel-scan.js';
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
  const events = parseFound(outcome.lines, outcome.torn, options.skipped).filter((e) => inWindow(e.event, window));
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

/** Bytes of log scanned per round by forEachEvent: what bounds its memory, whatever the log size. */
export const ROUND_BYTES = 128 * 1024 * 1024;

/**
 * Streams the events on lines containing one of `needles` to `onEvent`, a round of at most
 * ROUND_BYTES of log at a time, so memory stays bounded by the round, not the log. Events come in
 * file order within a round, not in global time order: aggregations compare `ts` themselves.
 */
export async function forEachEvent(
  set: LogSet,
  needles: readonly string[],
  options: { window?: TimeWindow; files?: readonly LogFile[]; skipped: SkippedLines; stats?: SearchStats; scan?: ScanOptions; roundBytes?: number },
  onEvent: (e: LocatedEvent) => void,
): Promise<void> {
  const files = options.files ?? set.files;
  const window = options.window ?? {};
  const roundBytes = options.roundBytes ?? ROUND_BYTES;
  const rounds: ScanInput[][] = [];
  let current: ScanInput[] = [];
  let room = roundBytes;
  for (const input of scanInputs(set, files, window.since)) {
    if (input.file.gzipped) {
      rounds.push([input]);
      continue;
    }
    for (let from = input.from; from < input.size; ) {
      const size = Math.min(input.size, from + room);
      current.push({ file: input.file, from, size });
      room -= size - from;
      from = size;
      if (room <= 0) {
        rounds.push(current);
        current = [];
        room = roundBytes;
      }
    }
  }
  if (current.length > 0) rounds.push(current);
  if (options.stats) options.stats.files += files.length;
  for (const round of rounds) {
    // A round's end may cut a line: the scan reads on to its newline; the next round skips that line's rest.
    const inputs = round.map((i) => ({ ...i, fileSize: set.sizes.get(i.file.path) ?? i.size }));
    const outcome = await scanFiles(inputs, needles, options.scan ?? {});
    for (const e of parseFound(outcome.lines, outcome.torn, options.skipped)) {
      if (!inWindow(e.event, window)) continue;
      options.stats?.sessions.add(e.event.session_id);
      onEvent(e);
    }
    if (options.stats) {
      options.stats.bytes += outcome.bytes;
      options.stats.candidates += outcome.lines.length;
    }
  }
}
