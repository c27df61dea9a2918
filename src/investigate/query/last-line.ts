import { closeSync, openSync, readSync } from 'node:fs';
import type { LogFile } from '../../recorder/log-files.js';
import type { LogSet } from './log-set.js';

const CHUNK = 1024 * 1024;

/**
 * Longer than any line the recorder writes (strings bounded at 4,000 chars, lists and maps at a few
 * hundred items): a line this long is not a session's last words (a heartbeat, SESSION_END), and is
 * passed over unread instead of being loaded whole.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** Bytes [from, to) of the file, or null when it is shorter now than the query measured (rotated, truncated). */
function bytesAt(fd: number, from: number, to: number): Buffer | null {
  const buffer = Buffer.allocUnsafe(to - from);
  return readSync(fd, buffer, 0, buffer.length, from) < buffer.length ? null : buffer;
}

/** The end of the last whole line before `size` (just past its newline), 0 when there is none, null when the file shrank. */
function wholeEnd(fd: number, size: number, floor: number): number | null {
  for (let end = size; end > floor; end -= CHUNK) {
    const from = Math.max(floor, end - CHUNK);
    const chunk = bytesAt(fd, from, end);
    if (!chunk) return null;
    const nl = chunk.lastIndexOf(10);
    if (nl >= 0) return from + nl + 1;
  }
  return floor;
}

/** Where the last occurrence of `pattern` lying wholly in [floor, end) starts, -1 when there is none (null: the file shrank). */
function lastMatch(fd: number, pattern: Buffer, floor: number, end: number): number | null {
  // Each chunk is read with the first bytes of the one after it, so a match across the cut is seen.
  for (let to = end; to > floor; to -= CHUNK) {
    const from = Math.max(floor, to - CHUNK);
    const chunk = bytesAt(fd, from, Math.min(end, to + pattern.length - 1));
    if (!chunk) return null;
    const at = chunk.lastIndexOf(pattern);
    if (at >= 0) return from + at;
  }
  return -1;
}

/** The start of the line holding byte `at`: just past the newline before it, or 0. */
function lineStart(fd: number, at: number): number | null {
  for (let to = at; to > 0; to -= CHUNK) {
    const from = Math.max(0, to - CHUNK);
    const chunk = bytesAt(fd, from, to);
    if (!chunk) return null;
    const nl = chunk.lastIndexOf(10);
    if (nl >= 0) return from + nl + 1;
  }
  return 0;
}

/** The newline ending the line that holds byte `at` (one is there: `end` is a whole line's end). */
function lineEnd(fd: number, at: number, end: number): number | null {
  for (let from = at; from < end; from += CHUNK) {
    const chunk = bytesAt(fd, from, Math.min(end, from + CHUNK));
    if (!chunk) return null;
    const nl = chunk.indexOf(10);
    if (nl >= 0) return from + nl;
  }
  return null;
}

/**
 * The last whole line in a plain file that contains `needle`, searching backwards from the end in
 * chunks: the tail of a log is where a dying session's last words are, so this rarely reads far.
 * A torn tail is not a line (it is reported elsewhere); a line longer than MAX_LINE_BYTES is passed
 * over. Each byte is read a bounded number of times, however long the lines: gathering a long line
 * chunk by chunk (each chunk added to what was gathered) took 15 s for one 60 MB line.
 */
export function lastLineWith(file: LogFile, size: number, needle: string, maxBytes = 256 * 1024 * 1024): { offset: number; text: string } | null {
  if (file.gzipped || size === 0) return null;
  const pattern = Buffer.from(needle);
  const floor = Math.max(0, size - maxBytes);
  const fd = openSync(file.path, 'r');
  try {
    const end = wholeEnd(fd, size, floor);
    if (end === null) return null;
    let searchEnd = end;
    while (searchEnd > floor) {
      const at = lastMatch(fd, pattern, floor, searchEnd);
      if (at === null || at < 0) return null;
      const start = lineStart(fd, at);
      const stop = lineEnd(fd, at + pattern.length, end);
      if (start === null || stop === null) return null;
      // A line that begins before the bytes searched is not one of them.
      if (start < floor) return null;
      if (stop - start <= MAX_LINE_BYTES) {
        const text = bytesAt(fd, start, stop);
        return text ? { offset: start, text: text.toString('utf8') } : null;
      }
      searchEnd = start;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A session's last whole line: where it is, as written, and its ts. */
export interface SessionLine {
  readonly file: string;
  readonly offset: number;
  readonly text: string;
  readonly ts: string;
}

/** The line's seq: one sequence per session, shared by its threads, so it orders what the session wrote. */
function seqOf(text: string): number {
  const seq = /,"seq":(\d+)[,}]/.exec(text)?.[1];
  return seq === undefined ? Number.NaN : Number(seq);
}

/** The last whole line naming the session in each plain file of the set (read backwards), as found. */
export interface FileLastLine {
  readonly file: LogFile;
  readonly offset: number;
  readonly text: string;
}

export function sessionLastLines(set: LogSet, sessionId: string): FileLastLine[] {
  const out: FileLastLine[] = [];
  for (const file of set.files) {
    const found = lastLineWith(file, set.sizes.get(file.path) ?? 0, `"session_id":"${sessionId}"`);
    if (found) out.push({ file, ...found });
  }
  return out;
}

/**
 * The last whole line a session wrote in any channel: in each plain file the last line naming it
 * (read backwards), the latest of those in written order (seq; ts only for lines without one), not
 * by ts alone: after the wall clock was set back, the latest ts is an older line. Gzipped files
 * (rotated long ago) are not read. `lasts`: sessionLastLines, when the caller has them already.
 */
export function lastSessionLine(set: LogSet, sessionId: string, lasts: readonly FileLastLine[] = sessionLastLines(set, sessionId)): SessionLine | null {
  let last: (SessionLine & { readonly seq: number }) | null = null;
  for (const found of lasts) {
    const ts = /^\{"ts":"([^"]+)"/.exec(found.text)?.[1];
    if (!ts) continue;
    const seq = seqOf(found.text);
    const later = !last || (Number.isNaN(seq) || Number.isNaN(last.seq) ? ts > last.ts : seq > last.seq);
    if (later) last = { file: found.file.path, offset: found.offset, text: found.text, ts, seq };
  }
  if (!last) return null;
  const { seq: _seq, ...line } = last;
  return line;
}

/** The bytes after a plain file's last newline, when it does not end with one (a torn last line). */
export function tornTail(file: LogFile, size: number): { offset: number; text: string } | null {
  if (file.gzipped || size === 0) return null;
  const fd = openSync(file.path, 'r');
  try {
    const length = Math.min(size, CHUNK);
    const tail = Buffer.allocUnsafe(length);
    // Fewer bytes than asked: the file at this path is shorter than the one the query measured (it
    // was rotated or truncated since). What the buffer holds past them is not the file's: no tail.
    if (readSync(fd, tail, 0, length, size - length) < length) return null;
    if (tail[length - 1] === 10) return null;
    const nl = tail.lastIndexOf(10);
    return { offset: size - length + nl + 1, text: tail.toString('utf8', nl + 1) };
  } finally {
    closeSync(fd);
  }
}
