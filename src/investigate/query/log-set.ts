import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '../../recorder/channels.js';
import { listLogFiles, type LogFile } from '../../recorder/log-files.js';
import { lastLineEnd } from '../index/build-segment.js';
import { LogReadError, toLogReadError } from '../log-read-error.js';
import { forgetUnreadableFiles, noteUnreadableFile } from './unreadable-files.js';

/** The log files of a data directory as they were when the query began. */
export interface LogSet {
  readonly dataDir: string;
  readonly logsDir: string;
  readonly files: readonly LogFile[];
  /**
   * Size of each file (by path) when listed: lines appended later belong to --follow. In a set
   * opened for --follow a current file's size ends at its last newline, so a line the bot is still
   * writing belongs to --follow too.
   */
  readonly sizes: ReadonlyMap<string, number>;
  /** Files left out because they cannot be opened (each noted, see unreadable-files.ts). */
  readonly unreadable?: readonly LogReadError[];
}

export interface LogSetOptions {
  /**
   * For a query that goes on with --follow: each current plain file is read up to the end of its
   * last whole line. A line without its newline yet is most likely being written this instant; the
   * query would call it unreadable and --follow would read its rest as a second unreadable line.
   * Left out, the file is read to its end and a torn last line is reported: that is how a query of a
   * dead bot's logs learns the bot died mid-write.
   */
  readonly wholeLines?: boolean;
  /**
   * Whether a current plain file ends inside a line that a running bot is writing this instant
   * (written-tail.ts tells it from a dead bot's torn line): such a file alone is read up to its last
   * whole line, as with wholeLines, and the line is not reported unreadable; it is whole a moment
   * later. Not given (health, which tells a running bot from a dead one itself), every torn last
   * line is read and reported.
   */
  readonly lineBeingWritten?: (file: LogFile, size: number) => boolean;
}

function isFileMissing(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT';
}

/** The logs directory's files; a data directory that is a file is named as such, not as "logs". */
function listing(dataDir: string, logsDir: string, channels: readonly Channel[] | undefined): LogFile[] {
  try {
    return listLogFiles(logsDir, channels);
  } catch (error) {
    const read = toLogReadError(error, logsDir);
    if (read?.errno === 'ENOTDIR' && existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
      throw new LogReadError(dataDir, 'ENOTDIR', 'not a directory', { cause: error });
    }
    throw read ?? error;
  }
}

/**
 * The file's size now, or null when it was rotated away since the listing (openLogSet lists again and finds it under
 * its new name). Something that is not a regular file is refused here: a directory opens
 * fine and only fails on read, with an error that names no path, and a FIFO would block the query.
 * The file is opened once, so that one without read permission is known before any reader (a scan
 * worker among them) meets it.
 */
function fileSize(file: LogFile): number | null {
  try {
    const st = statSync(file.path);
    if (!st.isFile()) throw new LogReadError(file.path, st.isDirectory() ? 'EISDIR' : undefined, st.isDirectory() ? 'is a directory, not a log file' : 'not a regular file');
    closeSync(openSync(file.path, 'r'));
    return st.size;
  } catch (error) {
    if (isFileMissing(error)) return null;
    throw toLogReadError(error, file.path) ?? error;
  }
}

/**
 * Where the last whole line within the first `size` bytes of a plain file ends (0 when there is
 * none): where a reader that must not see a line still being written stops, or starts following.
 * Null when the file was rotated away meanwhile.
 */
export function wholeLinesEnd(path: string, size: number): number | null {
  try {
    return lastLineEnd(path, 0, size);
  } catch (error) {
    if (isFileMissing(error)) return null;
    throw toLogReadError(error, path) ?? error;
  }
}

/**
 * The data directory's log files and their sizes; a missing directory is an empty set (the caller
 * says "no logs here"). A file that cannot be opened (no read permission, a directory where a
 * rotated file belongs) is left out and noted (see unreadable-files.ts): the query answers from the
 * others and says which file it skipped and why. Throws LogReadError when the logs directory cannot
 * be listed, or when no file in it can be read: then nothing could be searched.
 */
export function openLogSet(dataDir: string, channels?: readonly Channel[], options: LogSetOptions = {}): LogSet {
  // A file that went between the listing and its opening was rotated or gzipped by the bot this
  // instant: listed again, it is there under its new name.
  for (let listed = 1; ; listed++) {
    const opened = openListed(dataDir, channels, options);
    if (!opened.vanished || listed >= MAX_LISTINGS) return opened.set;
  }
}

/** Listings a query makes while files keep giving way under it, before it reads what it has. */
const MAX_LISTINGS = 3;

function openListed(dataDir: string, channels: readonly Channel[] | undefined, options: LogSetOptions): { set: LogSet; vanished: boolean } {
  const logsDir = join(dataDir, 'logs');
  const files = listing(dataDir, logsDir, channels);
  // A query starts here: what an earlier query of this process (a test's) could not read is not its to tell.
  forgetUnreadableFiles();
  const sizes = new Map<string, number>();
  const unreadable: LogReadError[] = [];
  let vanished = false;
  for (const file of files) {
    let size: number | null;
    try {
      size = fileSize(file);
    } catch (error) {
      if (!(error instanceof LogReadError)) throw error;
      unreadable.push(error);
      continue;
    }
    // Only the files the bot appends to (and --follow goes on reading): a rotated file's torn tail is this query's to report or no one's.
    if (size !== null && file.current && !file.gzipped && (options.wholeLines === true || options.lineBeingWritten?.(file, size) === true)) {
      try {
        size = wholeLinesEnd(file.path, size);
      } catch {
        // Unreadable: the query that reads it fails, naming it, as without wholeLines.
      }
    }
    if (size === null) vanished = true;
    else sizes.set(file.path, size);
  }
  const [first] = unreadable;
  if (first !== undefined && sizes.size === 0) throw first;
  for (const error of unreadable) noteUnreadableFile(error);
  return { set: { dataDir, logsDir, files: files.filter((f) => sizes.has(f.path)), sizes, unreadable }, vanished };
}

/**
 * Opens every file of the set once, for readers whose streams would turn an unreadable file into an
 * uncaught error (the alert rules' replay): the failure becomes a LogReadError before they start.
 * Those readers report no unreadable file, so one the set left out fails them too.
 */
export function checkReadable(set: LogSet): void {
  const [left] = set.unreadable ?? [];
  if (left !== undefined) throw left;
  for (const file of set.files) {
    try {
      closeSync(openSync(file.path, 'r'));
    } catch (error) {
      if (!isFileMissing(error)) throw toLogReadError(error, file.path) ?? error;
    }
  }
}

export function totalBytes(set: LogSet): number {
  let total = 0;
  for (const size of set.sizes.values()) total += size;
  return total;
}

/** "no log files in ./data/logs (directory missing)" style explanation for an empty set. */
export function describeEmpty(set: LogSet): string {
  const state = existsSync(set.logsDir) ? 'it holds no *.jsonl files' : 'directory missing';
  return `no log files in ${set.logsDir} (${state}); pass --data-dir or set TRADETRACE_DATA_DIR to the bot's data directory`;
}

/** sessions/<id>/manifest.json as the session manager writes it; every field may be absent. */
export interface SessionManifest {
  readonly session_id: string;
  readonly start?: string;
  readonly end?: string | null;
  readonly exit_reason?: string | null;
  readonly exit_code?: number | null;
  readonly version?: string;
  readonly pid?: number;
  readonly host?: string;
  readonly mode?: string;
  /** How long it ran, on the monotonic clock (unlike end - start, true across a wall-clock step). */
  readonly duration_ms?: number | null;
  /** The order sessions started in on this data directory (absent before sequences existed). */
  readonly sequence?: number;
}

export function readManifests(dataDir: string): Map<string, SessionManifest> {
  const out = new Map<string, SessionManifest>();
  const dir = join(dataDir, 'sessions');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const value = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as unknown;
      if (value !== null && typeof value === 'object' && typeof (value as { session_id?: unknown }).session_id === 'string') {
        out.set(name, value as SessionManifest);
      }
    } catch {
      // A missing or unreadable manifest: the logs are the ground truth anyway.
    }
  }
  return out;
}
