import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { channelFileName, type Channel } from '../../recorder/channels.js';
import { errnoOf } from '../../recorder/file-rotation.js';
import { listLogFiles } from '../../recorder/log-files.js';
import { parseLine } from '../../recorder/line-parser.js';
import { toLogReadError } from '../../investigate/log-read-error.js';
import type { Observation } from '../alert-transition.js';
import type { LineProblemReport } from '../log-replay.js';

const CHUNK = 64 * 1024;

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

interface Tail {
  readonly channel: Channel;
  readonly path: string;
  /** Rotated files already read (or being read as `followed`), or already there when following began (history is not replayed). */
  readonly consumed: Set<string>;
  /** The file `path` named when we opened it; it keeps being read after a rotation renames it. */
  followed: Cursor | null;
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
 * given to another file.
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
  ) {
    this.tails = channels.map((channel) => {
      const path = join(logsDir, channelFileName(channel));
      const consumed = new Set(this.rotatedFiles(channel));
      const tail: Tail = { channel, path, consumed, followed: null };
      if (options.fromEnd) {
        const cursor = openCursor(path);
        if (cursor) {
          tail.followed = cursor;
          cursor.offset = fstatSync(cursor.fd).size;
          cursor.lineNumber = null;
          // Files rotated since the listing above are history too, up to the one just opened (if
          // it was itself rotated, what came after it is new).
          for (const rotated of this.rotatedFiles(channel)) {
            tail.consumed.add(rotated);
            if (inodeOf(rotated) === cursor.ino) break;
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
      const followed = tail.followed;
      tail.followed = null;
      if (followed) closeSync(followed.fd);
    }
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
        try {
          // Everything rotated after it, oldest first; matched while it is open (see the class comment).
          this.catchUp(tail, out, { drained: followed.ino });
        } finally {
          tail.followed = null;
          closeSync(followed.fd);
        }
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
    for (const path of this.rotatedFiles(tail.channel)) {
      if (tail.consumed.has(path)) continue;
      const cursor = openCursor(path);
      tail.consumed.add(path);
      if (!cursor) continue;
      try {
        if (cursor.ino === at.following) return;
        if (cursor.ino !== at.drained) this.drain(cursor, out);
      } finally {
        closeSync(cursor.fd);
      }
    }
  }

  /** Paths of the channel's rotated, uncompressed files, oldest first. */
  private rotatedFiles(channel: Channel): string[] {
    return listLogFiles(this.logsDir, [channel])
      .filter((f) => !f.current && !f.gzipped)
      .map((f) => f.path);
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
      let data = Buffer.concat([cursor.partial, buffer.subarray(0, n)]);
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
