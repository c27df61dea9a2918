import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
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
/**
 * Files remembered beyond those the last listing showed. A file renamed between a listing and its
 * open is missing from that round and listed under its new name by the next one: it must still be
 * known then, or it would be read whole again.
 */
const REMEMBERED_FILES = 64;
/** A file's head (see headOf): its first line, or the first this many bytes of a longer one. */
const HEAD_BYTES = 4096;
/** Compressed bytes read to learn a .gz's head: enough for HEAD_BYTES even of incompressible text. */
const GZIP_HEAD_BYTES = 16 * 1024;

/** One open file and how far into it we have read. */
interface Cursor {
  readonly path: string;
  readonly fd: number;
  /** Device and inode (fileId): what the file is known by whatever name it is given later. */
  readonly id: string;
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
  /** The file `path` named when we opened it; it keeps being read after a rotation renames it. */
  followed: Cursor | null;
  /** Rotated files within their grace period, still open and read for late appends. */
  retired: Retired[];
  /**
   * Rotated files not held open and not to be read (again), by fileId, with their heads: read and
   * closed, gzipped copies of files read, or there when following began (history is not replayed).
   * Least recently listed first. Known by identity, not by name: logrotate's numbered names pass
   * from file to file (.1 -> .2 -> .3 at each rotation).
   */
  readonly known: Map<string, string | null>;
}

/**
 * Device and inode: a rename keeps them, so a file is known under any name. Bigint stats, as a
 * 64-bit inode number (XFS, btrfs, NFS) does not fit a double exactly.
 */
function fileId(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

function idOf(path: string): string | null {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats === undefined ? null : fileId(stats);
}

/** An open file and its identity; null when it is gone (rotated or removed between listing and opening it). */
function openFile(path: string): { readonly fd: number; readonly id: string } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    return { fd, id: fileId(fstatSync(fd, { bigint: true })) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function openCursor(path: string): Cursor | null {
  const file = openFile(path);
  return file && { path, fd: file.fd, id: file.id, offset: 0, lineNumber: 0, partial: Buffer.alloc(0) };
}

/**
 * What a file is recognised by where its inode proves nothing: a closed file's inode can be given to
 * a new file, and a gzipped copy has its own. Its first line (a timestamp and sequence number), or
 * the first HEAD_BYTES of a longer one; null while it has neither. Rotated files are only appended
 * to, so a head once known never changes.
 */
function headOf(bytes: Buffer): string | null {
  const newline = bytes.subarray(0, HEAD_BYTES).indexOf(0x0a);
  // latin1: byte for byte, where utf8 would blur a character cut at HEAD_BYTES.
  if (newline >= 0) return bytes.subarray(0, newline).toString('latin1');
  return bytes.length >= HEAD_BYTES ? bytes.subarray(0, HEAD_BYTES).toString('latin1') : null;
}

function headOfPlain(fd: number): string | null {
  const head = Buffer.alloc(HEAD_BYTES);
  return headOf(head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0)));
}

/** The head of the uncompressed content, from its start only: a rotated .gz can be large. Null when damaged there. */
function headOfGzip(fd: number): string | null {
  const compressed = Buffer.alloc(GZIP_HEAD_BYTES);
  const n = readSync(fd, compressed, 0, GZIP_HEAD_BYTES, 0);
  try {
    // Z_SYNC_FLUSH: what the bytes read decompress to, without failing for the rest not being there.
    return headOf(gunzipSync(compressed.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH }));
  } catch {
    return null;
  }
}

/** A rotated file's head; a read error (which names no path, the read being through a descriptor) names the file. */
function headOfFile(file: LogFile, fd: number): string | null {
  try {
    return file.gzipped ? headOfGzip(fd) : headOfPlain(fd);
  } catch (error) {
    throw toLogReadError(error, file.path) ?? error;
  }
}

type Gunzipped = { readonly kind: 'content'; readonly bytes: Buffer } | { readonly kind: 'damaged'; readonly message: string };

/** A file that cannot be read throws; one that is not whole gzip (damaged) is `damaged`. */
function gunzippedFile(fd: number): Gunzipped {
  // Positioned reads only so far (heads): readFileSync reads from the start.
  const compressed = readFileSync(fd);
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
 * Rotated files are known by identity (device and inode), not by name: logrotate's numbered names
 * (.1, .2...) are given to another file at each rotation, and a renamed file must be neither read
 * twice nor taken for the file that had its name. A file we hold open is matched by identity alone
 * (its inode cannot go to another file while it is open); one we closed, or that was there when
 * following began, also by its head (headOf), as its inode may since have been reused. Renamed
 * files stay open, and are read again each poll, for LATE_APPEND_GRACE_MS: a second writer appends
 * to one until it notices the rotation.
 *
 * A rotated file gzipped (by logrotate, by hand) before we read it is read from its `.gz`; a `.gz`
 * whose head is that of a file we read (held or closed) or skipped as history is not read.
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
      const tail: Tail = { channel, path, followed: null, retired: [], known: new Map() };
      this.skipRotated(tail, null);
      if (options.fromEnd) {
        const cursor = openCursor(path);
        if (cursor) {
          tail.followed = cursor;
          cursor.offset = fstatSync(cursor.fd).size;
          cursor.lineNumber = null;
          // Files rotated since the listing above are history too, up to the one just opened (if
          // it was itself rotated, what came after it is new).
          this.skipRotated(tail, cursor.id);
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

  /** Known from now on; the most recently listed last (see forgetUnlisted). */
  private know(tail: Tail, id: string, head: string | null): void {
    tail.known.delete(id);
    tail.known.set(id, head);
  }

  private remember(tail: Tail, cursor: Cursor): void {
    this.know(tail, cursor.id, headOfPlain(cursor.fd));
  }

  private pollTail(tail: Tail, out: Observation[]): void {
    // Each round moves to a newer file, so this ends once the file at `path` stays put while drained.
    for (;;) {
      const followed = tail.followed;
      if (followed) {
        this.drain(followed, out);
        if (idOf(tail.path) === followed.id) return;
        // Rotated (or deleted): whatever reached it before the rename is still readable through our fd.
        this.drain(followed, out);
        tail.followed = null;
        // Held among the retired, it is not read again under its new name.
        this.retire(tail, followed);
      }
      // Everything rotated since, oldest first.
      this.catchUp(tail, out);
      const opened = openCursor(tail.path);
      if (!opened) return;
      tail.followed = opened;
      // A rotation between the listing above and this open renamed a file older than the one just
      // opened: read it first. If the opened file was itself rotated already, the newer files wait
      // for the next round, after it is drained.
      this.catchUp(tail, out);
    }
  }

  /**
   * Reads the rotated files not read yet, oldest first. Reading stops at the file being followed,
   * when it is listed already rotated: every file after it is newer, read once it is drained.
   */
  private catchUp(tail: Tail, out: Observation[]): void {
    const files = this.rotatedFiles(tail.channel);
    try {
      for (const file of files) {
        const opened = openFile(file.path);
        // Gone since the listing: renamed (the next listing has it under its new name) or
        // compressed (its .gz is there in its place).
        if (!opened) continue;
        let kept = false;
        try {
          const held = this.held(tail).find((cursor) => cursor.id === opened.id);
          if (held === tail.followed) return;
          // Retired: drained each poll by pollRetired, whatever its name now.
          if (held) continue;
          const head = headOfFile(file, opened.fd);
          if (tail.known.has(opened.id) && tail.known.get(opened.id) === head) {
            this.know(tail, opened.id, head);
            continue;
          }
          if (file.gzipped) {
            this.readGzipped(tail, file, opened.fd, head, out);
            this.know(tail, opened.id, head);
            continue;
          }
          const cursor: Cursor = { path: file.path, fd: opened.fd, id: opened.id, offset: 0, lineNumber: 0, partial: Buffer.alloc(0) };
          this.drain(cursor, out);
          this.retire(tail, cursor);
          kept = true;
        } finally {
          if (!kept) closeSync(opened.fd);
        }
      }
    } finally {
      this.forgetUnlisted(tail, files.length);
    }
  }

  /**
   * Marks the rotated files listed now as history, not to be read. `until`: the file being
   * followed, where marking stops (the files after it, rotated after we opened it, are new).
   */
  private skipRotated(tail: Tail, until: string | null): void {
    for (const file of this.rotatedFiles(tail.channel)) {
      const opened = openFile(file.path);
      if (!opened) continue;
      try {
        if (opened.id === until) return;
        this.know(tail, opened.id, headOfFile(file, opened.fd));
      } finally {
        closeSync(opened.fd);
      }
    }
  }

  /**
   * Bounds what is remembered: no more than the files listed (each listed one was just moved last
   * by `know`) and REMEMBERED_FILES more, the least recently listed forgotten first. Entries of
   * files gone for good (deleted by logrotate's `rotate N`, gzipped) go that way.
   */
  private forgetUnlisted(tail: Tail, listed: number): void {
    for (const id of tail.known.keys()) {
      if (tail.known.size <= listed + REMEMBERED_FILES) return;
      tail.known.delete(id);
    }
  }

  private held(tail: Tail): Cursor[] {
    return [...(tail.followed ? [tail.followed] : []), ...tail.retired.map((r) => r.cursor)];
  }

  /**
   * A rotated .gz not known by identity. Skipped when it is a copy of a file we read or skipped:
   * its head is that of a file we hold (renamed and compressed between two polls, drained through
   * our descriptor) or remember. Otherwise it was rotated and compressed unseen: read whole.
   * (`listLogFiles` leaves out a .gz while its plain file is there, gzip being midway.)
   */
  private readGzipped(tail: Tail, file: LogFile, fd: number, head: string | null, out: Observation[]): void {
    if (head !== null && ([...tail.known.values()].includes(head) || this.held(tail).some((cursor) => headOfPlain(cursor.fd) === head))) return;
    let read: Gunzipped;
    try {
      read = gunzippedFile(fd);
    } catch (error) {
      // A read through a descriptor names no path.
      throw toLogReadError(error, file.path) ?? error;
    }
    if (read.kind === 'damaged') {
      // Its lines cannot be known; reported once (then known), and following goes on.
      this.onProblem({ file: file.path, lineNumber: 0, message: `unreadable_gzip: ${read.message}` });
      return;
    }
    const content = read.bytes;
    const cursor: Cursor = { path: file.path, fd: -1, id: '', offset: content.length, lineNumber: 0, partial: Buffer.alloc(0) };
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
