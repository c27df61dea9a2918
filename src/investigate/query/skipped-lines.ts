import { closeSync, openSync, readSync } from 'node:fs';
import type { LogFile } from '../../recorder/log-files.js';
import { gunzipChunks } from '../scan/gunzip-chunks.js';
import { skipSummary, unreadableFileNote, SHOWN_LINES, type FileSkips } from '../render/skip-summary.js';
import { tornTail } from './last-line.js';
import type { LogSet } from './log-set.js';
import { takeUnreadableFiles, unreadableFileCount } from './unreadable-files.js';

export interface SkippedLine {
  readonly file: LogFile;
  readonly offset: number;
  readonly code: string;
  readonly message: string;
  readonly excerpt: string;
  /** Known when the reader counted lines (index build); else counted on report. */
  lineNumber?: number;
}

/** The code of a line that is not shaped like a log line at all (see scan/line-shape.ts). */
export const NOT_A_LOG_LINE = 'not_a_log_line';

/** Misshapen lines kept in detail per file; more are only counted. */
export const MISSHAPEN_KEPT = 10_000;

/** 1-based numbers of the lines starting at `offsets` (ascending): one pass counting newlines, only when reporting. */
export async function lineNumbersAt(file: Pick<LogFile, 'path' | 'gzipped'>, offsets: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  let count = 1;
  let seen = 0;
  // Counts the newlines of data[0, length) (the file's bytes from `seen`) up to each wanted offset in turn.
  const take = (data: Buffer, length: number): void => {
    let at = 0;
    let target = offsets[out.length];
    while (target !== undefined) {
      const upto = Math.min(length, Math.max(at, target - seen));
      for (let i = data.indexOf(10, at); i >= 0 && i < upto; i = data.indexOf(10, i + 1)) count++;
      at = upto;
      if (target - seen > length) break;
      out.push(count);
      target = offsets[out.length];
    }
    seen += length;
  };
  if (file.gzipped) {
    for await (const chunk of gunzipChunks(file.path)) {
      take(chunk, chunk.length);
      if (out.length === offsets.length) break;
    }
  } else {
    const fd = openSync(file.path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      const last = offsets[offsets.length - 1] ?? 0;
      while (out.length < offsets.length && seen < last) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, last - seen), seen);
        if (n === 0) break;
        take(buffer, n);
      }
    } finally {
      closeSync(fd);
    }
  }
  while (out.length < offsets.length) out.push(count);
  return out;
}

export async function lineNumberAt(file: Pick<LogFile, 'path' | 'gzipped'>, offset: number): Promise<number> {
  return (await lineNumbersAt(file, [offset]))[0] ?? 1;
}

/** Lines in every file of the set (a torn last line counts): what "searched N lines" reports when no index knows. */
export async function countLines(set: LogSet): Promise<number> {
  let total = 0;
  for (const file of set.files) {
    const size = set.sizes.get(file.path) ?? 0;
    const newlines = (await lineNumberAt(file, file.gzipped ? Number.MAX_SAFE_INTEGER : size)) - 1;
    total += newlines + (tornTail(file, size) ? 1 : 0);
  }
  return total;
}

function byPlace(a: SkippedLine, b: SkippedLine): number {
  if (a.file.path !== b.file.path) return a.file.path < b.file.path ? -1 : 1;
  return a.offset - b.offset;
}

/**
 * Lines a query could not use: never fatal, always reported at the end as one summary line. Every
 * reader of a query adds to the same instance, so a line met twice (as a candidate that does not
 * parse and by the shape check) counts once.
 */
export class SkippedLines {
  private readonly items = new Map<string, SkippedLine>();
  /** Per file: misshapen lines kept in detail so far, and the offsets of those past the cap (bare numbers, deduplicated). */
  private readonly misshapen = new Map<string, { kept: number; beyond: Set<number> }>();

  add(item: SkippedLine): void {
    const key = `${item.file.path}:${item.offset}`;
    const known = this.items.get(key);
    // A parse problem says more than the shape check's "not a log line": keep it when both report a line.
    if (known && item.code === NOT_A_LOG_LINE) {
      if (item.lineNumber !== undefined) known.lineNumber ??= item.lineNumber;
      return;
    }
    if (known?.lineNumber !== undefined) item.lineNumber ??= known.lineNumber;
    this.items.set(key, item);
  }

  /**
   * A line without the shape of a log line. A file of garbage (a binary appended to a log) has
   * millions: past MISSHAPEN_KEPT per file only their offsets are kept (a query may scan a file
   * twice; each line still counts once), a few bytes each instead of an object and a key. Only a
   * line also reported by a parser (a garbage line holding the query's needle) past the cap could
   * be counted twice.
   */
  addMisshapen(file: LogFile, offset: number): void {
    const tally = this.misshapen.get(file.path) ?? { kept: 0, beyond: new Set<number>() };
    this.misshapen.set(file.path, tally);
    if (this.items.has(`${file.path}:${offset}`)) return;
    if (tally.kept >= MISSHAPEN_KEPT) {
      tally.beyond.add(offset);
      return;
    }
    tally.kept++;
    this.add({ file, offset, code: NOT_A_LOG_LINE, message: 'line is not a recorder JSON line', excerpt: '' });
  }

  /** Lines skipped, plus the files the query could not read (to their end): a reader compares it before and after a file to learn whether all of it was read. */
  get count(): number {
    let beyond = 0;
    for (const tally of this.misshapen.values()) beyond += tally.beyond.size;
    return this.items.size + beyond + unreadableFileCount();
  }

  /** The skipped lines with one problem code, by file path then offset (no line numbers are counted). */
  withCode(code: string): SkippedLine[] {
    return [...this.items.values()].filter((s) => s.code === code).sort(byPlace);
  }

  /** Every skipped line kept in detail, whatever its problem, by file path then offset. */
  all(): SkippedLine[] {
    return [...this.items.values()].sort(byPlace);
  }

  /** Per file (by path): how many, and the numbers of the first lines. */
  async byFile(): Promise<FileSkips[]> {
    const files = new Map<string, SkippedLine[]>();
    for (const item of this.items.values()) {
      const list = files.get(item.file.path);
      if (list) list.push(item);
      else files.set(item.file.path, [item]);
    }
    const out: FileSkips[] = [];
    for (const [path, items] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const first = items.sort(byPlace).slice(0, SHOWN_LINES);
      const file = first[0]?.file;
      const unknown = first.filter((s) => s.lineNumber === undefined);
      const counted = file && unknown.length > 0 ? await lineNumbersAt(file, unknown.map((s) => s.offset)) : [];
      unknown.forEach((s, i) => (s.lineNumber = counted[i] ?? 0));
      out.push({ path, count: items.length + (this.misshapen.get(path)?.beyond.size ?? 0), firstLines: first.map((s) => s.lineNumber ?? 0) });
    }
    return out;
  }

  /**
   * `skipped 2 unreadable lines in decisions.jsonl (lines 57, 90)` and a newline; '' when none.
   * Preceded by a line for each file the query could not read, or not to its end, not told yet.
   */
  async report(): Promise<string> {
    let out = '';
    for (const file of takeUnreadableFiles()) {
      const gzipped = file.path.endsWith('.gz');
      const linesRead = file.readBytes > 0 ? (await lineNumberAt({ path: file.path, gzipped }, file.readBytes)) - 1 : 0;
      out += `${unreadableFileNote(file, linesRead)}\n`;
    }
    const summary = skipSummary(await this.byFile());
    return summary ? `${out}${summary}\n` : out;
  }
}
