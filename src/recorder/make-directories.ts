import { lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** What a path names, in the words of an error message; `absent` when nothing is there. */
export type PathKind = 'directory' | 'absent' | 'file' | 'FIFO' | 'socket' | 'device' | 'broken symbolic link';

function kindOfStats(stats: Stats): PathKind {
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isSocket()) return 'socket';
  if (stats.isSymbolicLink()) return 'broken symbolic link';
  return 'device';
}

/**
 * What `path` names, following symbolic links (a link to a directory is a directory). Under a
 * parent that is a file (ENOTDIR) it is absent: that parent is what a caller walking up names. A
 * stat that fails otherwise (EACCES on a parent, ELOOP) throws: it names the cause.
 */
export function pathKind(path: string): PathKind {
  try {
    const stats = statSync(path, { throwIfNoEntry: false }) ?? lstatSync(path, { throwIfNoEntry: false });
    return stats === undefined ? 'absent' : kindOfStats(stats);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return 'absent';
    throw error;
  }
}

/** The path a directory was wanted at, and why none can be there. */
export class UnusableDirectoryError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnusableDirectoryError';
  }
}

function notADirectory(path: string, kind: PathKind): UnusableDirectoryError {
  return new UnusableDirectoryError(path, `${path} is a ${kind}, not a directory: move it aside or use another --data-dir`);
}

/**
 * Why a directory cannot be made at `path` when something in the way is not a directory: `path`
 * itself or one of its parents. Undefined when nothing on the way says so (the caller's error
 * then names the cause: EACCES, EROFS, ENOSPC...).
 */
export function whyNoDirectory(path: string): string | undefined {
  for (let probe = resolve(path); ; probe = dirname(probe)) {
    let kind: PathKind;
    try {
      kind = pathKind(probe);
    } catch {
      return undefined;
    }
    if (kind === 'directory') return undefined;
    if (kind !== 'absent') return notADirectory(probe, kind).message;
    if (dirname(probe) === probe) return undefined;
  }
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdirSync retries without end where a
 * directory exists but takes no new entries, answering ENOENT (mkdir /proc/self/sessions: ENOENT;
 * mkdir /proc/self: EEXIST; again): synchronous code that spun at full CPU and that SIGTERM could
 * not stop. Here each missing level gets one mkdir, so it ends after as many calls as the path has
 * levels, with an error naming the path that refused.
 */
export function makeDirectories(path: string): void {
  const missing: string[] = [];
  for (let probe = resolve(path); ; probe = dirname(probe)) {
    const kind = pathKind(probe);
    if (kind === 'directory') break;
    if (kind !== 'absent') throw notADirectory(probe, kind);
    missing.push(probe);
    if (dirname(probe) === probe) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code;
      if (errno === 'EEXIST') {
        const kind = pathKind(dir);
        // Another process made it meanwhile: what was wanted.
        if (kind === 'directory') continue;
        throw notADirectory(dir, kind);
      }
      if (errno === 'ENOENT' && pathKind(dirname(dir)) === 'directory') {
        throw new UnusableDirectoryError(dir, `cannot make ${dir}: ${dirname(dir)} is a directory that takes no new entries (mkdir says ENOENT), such as one of /proc or /sys; use another --data-dir`);
      }
      throw error;
    }
  }
}
