import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { channelFileName, type Channel } from '../../recorder/channels.js';
import { errnoOf } from '../../recorder/file-rotation.js';
import { listLogFiles, type LogFile } from '../../recorder/log-files.js';
import { parseLine } from '../../recorder/line-parser.js';
import { toLogReadError } from '../../investigate/log-read-error.js';
import type { Observation } from '../alert-transition.js';
import type { LineProblemReport } from '../log-replay.js';

const CHUNK = 64 * 1024;
/**
 * How long a renamed file is still read after its rotation. A writer learns of a rotation another
 * writer made (the bot's watchdog thread, a second process) on its next check of the path, up to
 * 100 ms or 1024 lines later (FileSink's checkEveryMs): until then its lines land in the renamed
 * file, possibly after we drained it.
 */
export const LATE_APPEND_GRACE_MS = 2000;
/** First lines of files no longer held, kept to know their gzipped copies. */
const REMEMBERED_FILES = 64;

/** One open file and how far into it we have read. */
interface Cursor {
  readonly path: string;
  readonly fd: number;
  readonly ino: number;
  offset: number;
  /** Lines read so far; null when following began mid-file (numbers unknown). */
  lineNumber: number | null;
  /** Bytes after the last newline: a line still being written. */
  partial: Buffer;
}

/** A rotated file still read for lines its writers append late, until `until` (performance.now()). */
interface Retired {
  readonly cursor: Cursor;
  readonly until: number;
}

interface Tail {
  readonly channel: Channel;
  readonly path: string;
  /** Rotated files already read (or being read as `followed`), or already there when following began (history is not replayed). */
  readonly consumed: Set<string>;
  /** The file `path` named when we opened it; it keeps being read after a rotation renames it. */
  followed: Cursor | null;
  /** Rotated files within their grace period, still open and read for late appends. */
  retired: Retired[];
  /** First lines of files read and since closed, newest last: how a gzipped copy of one is known. */
  readonly remembered: string[];
}

function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
}

/** Null when the file is gone (rotated or removed between listing and opening it). */
function openCursor(path: string): Cursor | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    return { path, fd, ino: fstatSync(fd).ino, offset: 0, lineNumber: 0, partial: Buffer.alloc(0) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The file's first complete line, or null while it has none. */
function firstLineOf(fd: number): string | null {
  const head = Buffer.alloc(4096);
  const n = readSync(fd, head, 0, head.length, 0);
  const newline = head.subarray(0, n).indexOf(0x0a);
  return newline < 0 ? null : head.subarray(0, newline).toString('utf8');
}

type Gunzipped = { readonly kind: 'content'; readonly bytes: Buffer } | { readonly kind: 'gone' } | { readonly kind: 'damaged'; readonly message: string };

/** A file that cannot be read throws; one that is not whole gzip (being written, damaged) is `damaged`. */
function gunzippedFile(path: string): Gunzipped {
  let compressed: Buffer;
  try {
    compressed = readFileSync(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  try {
    return { kind: 'content', bytes: gunzipSync(compressed) };
  } catch (error) {
    return { kind: 'damaged', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Follows `<logsDir>/<channel>.jsonl` for each channel, from the start of the current files. Polled,
 * not fs.watch (which misses appends on some file systems). Rotation: the writer renames the full
 * file and opens a new one; the tailer keeps the old descriptor and drains it to its end, reads any
 * file rotated after it (several rotations can fall between two polls), then moves to the new file,
 * so no line is lost or read twice. Rotated files present at construction are history and skipped.
 * A line without its newline yet waits for the rest.
 *
 * Rotated files are known by their stamped names (unique, never reused) and matched to the file we
 * hold open by inode, compared only while that file is still open so its inode cannot have been
 * given to another file. Renamed files stay open, and are read again each poll, for
 * LATE_APPEND_GRACE_MS: a second writer appends to one until it notices the rotation.
 *
 * A rotated file gzipped (by logrotate, by hand) before we read it is read from its `.gz`; a `.gz`
 * of a file we read, under its plain name or through the descriptor we held, is not read again.
 */
export class LogTailer {
  private readonly tails: Tail[];

  /**
   * `fromEnd`: skip what the current files already hold and follow only new lines (line numbers are
   * then unknown for the file being followed, and evidence omits them).
   */
  constructor(
    private readonly logsDir: string,
    channels: readonly Channel[],
    private readonly onProblem: (problem: LineProblemReport) => void = () => undefined,
    options: { readonly fromEnd?: boolean } = {},
    /** Milliseconds on a monotonic clock, for the grace period; injectable for tests. */
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tails = channels.map((channel) => {
      const path = join(logsDir, channelFileName(channel));
      const consumed = new Set(this.rotatedFiles(channel).map((f) => f.path));
      const tail: Tail = { channel, path, consumed, followed: null, retired: [], remembered: [] };
      if (options.fromEnd) {
        const cursor = openCursor(path);
        if (cursor) {
          tail.followed = cursor;
          cursor.offset = fstatSync(cursor.fd).size;
          cursor.lineNumber = null;
          // Files rotated since the listing above are history too, up to the one just opened (if
          // it was itself rotated, what came after it is new).
          for (const rotated of this.rotatedFiles(channel)) {
            tail.consumed.add(rotated.path);
            if (!rotated.gzipped && inodeOf(rotated.path) === cursor.ino) break;
          }
        }
      }
      return tail;
    });
  }

  /**
   * Every complete line appended since the last poll, across channels, in time order. A file or
   * directory that cannot be read (anything but a file rotated or removed under us) throws a
   * LogReadError naming it, which the CLI turns into one line and exit code 3.
   */
  poll(): Observation[] {
    const out: Observation[] = [];
    for (const tail of this.tails) {
      try {
        this.pollRetired(tail, out);
        this.pollTail(tail, out);
      } catch (error) {
        throw toLogReadError(error, tail.path) ?? error;
      }
    }
    return out.sort((a, b) => (a.line.ts === b.line.ts ? a.line.seq - b.line.seq : a.line.ts < b.line.ts ? -1 : 1));
  }

  /** Safe to call again: a second close must not close a descriptor the process has since reused. */
  close(): void {
    for (const tail of this.tails) {
      const held = [...(tail.followed ? [tail.followed] : []), ...tail.retired.map((r) => r.cursor)];
      tail.followed = null;
      tail.retired = [];
      for (const cursor of held) closeSync(cursor.fd);
    }
  }

  /** Late lines in renamed files; those past their grace period are closed after this last read. */
  private pollRetired(tail: Tail, out: Observation[]): void {
    if (tail.retired.length === 0) return;
    const now = this.clock();
    const kept: Retired[] = [];
    for (const retired of tail.retired) {
      this.drain(retired.cursor, out);
      if (now < retired.until) {
        kept.push(retired);
        continue;
      }
      this.remember(tail, retired.cursor);
      closeSync(retired.cursor.fd);
    }
    tail.retired = kept;
  }

  private retire(tail: Tail, cursor: Cursor): void {
    tail.retired.push({ cursor, until: this.clock() + LATE_APPEND_GRACE_MS });
  }

  private remember(tail: Tail, cursor: Cursor): void {
    const first = firstLineOf(cursor.fd);
    if (first === null) return;
    tail.remembered.push(first);
    if (tail.remembered.length > REMEMBERED_FILES) tail.remembered.shift();
  }

  private pollTail(tail: Tail, out: Observation[]): void {
    // Each round moves to a newer file, so this ends once the file at `path` stays put while drained.
    for (;;) {
      const followed = tail.followed;
      if (followed) {
        this.drain(followed, out);
        if (inodeOf(tail.path) === followed.ino) return;
        // Rotated (or deleted): whatever reached it before the rename is still readable through our fd.
        this.drain(followed, out);
        tail.followed = null;
        this.retire(tail, followed);
        // Everything rotated after it, oldest first; matched while it is open (see the class comment).
        this.catchUp(tail, out, { drained: followed.ino });
      } else {
        this.catchUp(tail, out, {});
      }
      const opened = openCursor(tail.path);
      if (!opened) return;
      tail.followed = opened;
      // A rotation between the listing above and this open renamed a file older than the one just
      // opened: read it first. If the opened file was itself rotated already, the newer files wait
      // for the next round, after it is drained.
      this.catchUp(tail, out, { following: opened.ino });
    }
  }

  /**
   * Reads the rotated files not yet consumed, oldest first. `drained`: the file just finished,
   * under its new name (marked, not read again). `following`: the file being followed, where
   * reading stops because every file after it is newer.
   */
  private catchUp(tail: Tail, out: Observation[], at: { readonly drained?: number; readonly following?: number }): void {
    const files = this.rotatedFiles(tail.channel);
    const plain = new Set(files.filter((f) => !f.gzipped).map((f) => f.path));
    for (const file of files) {
      if (tail.consumed.has(file.path)) continue;
      if (file.gzipped) {
        // gzip writes the copy, then removes the original: while both exist, the original is read.
        if (plain.has(file.path.slice(0, -'.gz'.length))) continue;
        tail.consumed.add(file.path);
        this.readGzipped(tail, file, out);
        continue;
      }
      const cursor = openCursor(file.path);
      // Gone since the listing (compressed, most likely): its .gz is read in its place.
      if (!cursor) continue;
      tail.consumed.add(file.path);
      if (cursor.ino === at.following) {
        closeSync(cursor.fd);
        return;
      }
      if (cursor.ino === at.drained) {
        closeSync(cursor.fd);
        continue;
      }
      try {
        this.drain(cursor, out);
      } catch (error) {
        closeSync(cursor.fd);
        throw error;
      }
      this.retire(tail, cursor);
    }
  }

  /**
   * A rotated file first seen gzipped. Skipped when it is a copy of a file we read: under its plain
   * name (consumed), or one whose descriptor we held when it was renamed and compressed between two
   * polls (its first line is that file's). Otherwise it was rotated and compressed unseen: read whole.
   */
  private readGzipped(tail: Tail, file: LogFile, out: Observation[]): void {
    if (tail.consumed.has(file.path.slice(0, -'.gz'.length))) return;
    const read = gunzippedFile(file.path);
    if (read.kind === 'gone') return;
    if (read.kind === 'damaged') {
      // Still being written by gzip, or damaged: its lines cannot be known, and following goes on.
      this.onProblem({ file: file.path, lineNumber: 0, message: `unreadable_gzip: ${read.message}` });
      return;
    }
    const content = read.bytes;
    const newline = content.indexOf(0x0a);
    const first = newline < 0 ? null : content.subarray(0, newline).toString('utf8');
    const held = [...(tail.followed ? [tail.followed] : []), ...tail.retired.map((r) => r.cursor)];
    if (first !== null && (tail.remembered.includes(first) || held.some((cursor) => firstLineOf(cursor.fd) === first))) return;
    const cursor: Cursor = { path: file.path, fd: -1, ino: -1, offset: content.length, lineNumber: 0, partial: Buffer.alloc(0) };
    this.splitLines(cursor, content, out);
    if (cursor.partial.length > 0) {
      this.onProblem({ file: file.path, lineNumber: (cursor.lineNumber ?? 0) + 1, message: 'truncated: the compressed file ends inside a line' });
    }
  }

  /** Paths of the channel's rotated files, oldest first. */
  private rotatedFiles(channel: Channel): LogFile[] {
    return listLogFiles(this.logsDir, [channel]).filter((f) => !f.current);
  }

  private drain(cursor: Cursor, out: Observation[]): void {
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      let n: number;
      try {
        n = readSync(cursor.fd, buffer, 0, CHUNK, cursor.offset);
      } catch (error) {
        // A read error names no path (EISDIR, EIO): name the file here, where it is known.
        throw toLogReadError(error, cursor.path) ?? error;
      }
      if (n === 0) return;
      cursor.offset += n;
      this.splitLines(cursor, buffer.subarray(0, n), out);
    }
  }

  /** The complete lines of `cursor.partial` + `bytes`; what follows the last newline stays partial. */
  private splitLines(cursor: Cursor, bytes: Buffer, out: Observation[]): void {
    let data = cursor.partial.length === 0 ? bytes : Buffer.concat([cursor.partial, bytes]);
    let newline = data.indexOf(0x0a);
    while (newline >= 0) {
      const text = data.subarray(0, newline).toString('utf8');
      data = data.subarray(newline + 1);
      if (cursor.lineNumber !== null) cursor.lineNumber++;
      if (text.length > 0) this.accept(cursor, text, out);
      newline = data.indexOf(0x0a);
    }
    cursor.partial = Buffer.from(data);
  }

  private accept(cursor: Cursor, text: string, out: Observation[]): void {
    const parsed = parseLine(text);
    if (!parsed.ok) {
      this.onProblem({ file: cursor.path, lineNumber: cursor.lineNumber ?? 0, message: `${parsed.error.code}: ${parsed.error.message}` });
      return;
    }
    out.push({ line: parsed.value, file: cursor.path, ...(cursor.lineNumber !== null ? { lineNumber: cursor.lineNumber } : {}) });
  }
}
