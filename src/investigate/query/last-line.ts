import { closeSync, openSync, readSync } from 'node:fs';
import type { LogFile } from '../../recorder/log-files.js';
import { regionsBackwards } from '../../recorder/lines-backwards.js';
import type { LogSet } from './log-set.js';

const CHUNK = 1024 * 1024;

/**
 * Longer than any line the recorder writes (strings bounded at 4,000 chars, lists and maps at a few
 * hundred items): a line this long is not a session's last words (a heartbeat, SESSION_END), and is
 * passed over.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * The last whole line in a plain file that contains `needle`, from regions read backwards from the
 * end: the tail of a log is where a dying session's last words are, so this rarely reads far. A
 * torn tail is not a line (it is reported elsewhere); a line longer than MAX_LINE_BYTES is passed
 * over for the line before it.
 */
export function lastLineWith(file: LogFile, size: number, needle: string, maxBytes = 256 * 1024 * 1024): { offset: number; text: string } | null {
  if (file.gzipped || size === 0) return null;
  const pattern = Buffer.from(needle);
  for (const { base, data } of regionsBackwards(file.path, { size, maxBytes })) {
    // Regions are whole lines, so a match's line is wholly in its region.
    for (let at = data.lastIndexOf(pattern); at >= 0; ) {
      const start = data.lastIndexOf(10, at) + 1;
      const end = data.indexOf(10, at);
      if (end - start <= MAX_LINE_BYTES) return { offset: base + start, text: data.toString('utf8', start, end) };
      at = start > 0 ? data.lastIndexOf(pattern, start - 1) : -1;
    }
  }
  return null;
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
