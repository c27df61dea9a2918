import { closeSync, existsSync, fstatSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Channel } from './channels.js';
import { RecorderError } from './recorder-error.js';

export function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** What a writer should do with the file it holds open. */
export type FileCheck =
  | { readonly kind: 'current'; readonly size: number }
  /** Another writer renamed it away (rotation): reopen the path. */
  | { readonly kind: 'moved' }
  /** We renamed it away just now: reopen the path. */
  | { readonly kind: 'rotated'; readonly rotatedTo: string }
  /** It has no name left: whatever was written to it is gone. */
  | { readonly kind: 'removed' };

// A lock older than this belongs to a writer that died mid-rotation.
const STALE_LOCK_MS = 10_000;

/** `<channel>.<YYYYMMDDTHHMMSSmmmZ>[_n].jsonl`: sorts oldest first, and `logs/*.jsonl` globs still match. */
function rotatedName(path: string, now: Date): string {
  const stem = basename(path, '.jsonl');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  for (let n = 1; ; n++) {
    const candidate = join(dirname(path), `${stem}.${stamp}${n === 1 ? '' : `_${n}`}.jsonl`);
    if (!existsSync(candidate)) return candidate;
  }
}

function takeLock(lockPath: string): number | undefined {
  for (let tries = 0; tries < 2; tries++) {
    try {
      return openSync(lockPath, 'wx');
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
      const lock = statSync(lockPath, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs < STALE_LOCK_MS) return undefined;
      try {
        unlinkSync(lockPath);
      } catch {
        // Someone else cleared it first; try again.
      }
    }
  }
  return undefined;
}

/**
 * Checks that `path` still names the file open as `fd` (inode `ino`) and, if it has reached
 * `rotateBytes`, renames it to a stamped name. Writers sharing the file (threads, processes)
 * rotate under an O_EXCL lock file, and only rename the file they hold, so two writers never
 * rotate twice or rename each other's fresh file; a writer that loses the race sees 'moved'.
 */
export function rotateIfStill(path: string, fd: number, ino: number, rotateBytes: number, channel: Channel): FileCheck {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat || stat.ino !== ino) return fstatSync(fd).nlink > 0 ? { kind: 'moved' } : { kind: 'removed' };
    if (stat.size < rotateBytes || !stat.isFile()) return { kind: 'current', size: stat.size };
    const lockPath = `${path}.rotate-lock`;
    const lockFd = takeLock(lockPath);
    if (lockFd === undefined) return { kind: 'current', size: stat.size };
    try {
      const again = statSync(path, { throwIfNoEntry: false });
      if (!again || again.ino !== ino) return { kind: 'moved' };
      const rotatedTo = rotatedName(path, new Date());
      renameSync(path, rotatedTo);
      return { kind: 'rotated', rotatedTo };
    } finally {
      closeSync(lockFd);
      unlinkSync(lockPath);
    }
  } catch (error) {
    throw new RecorderError('write_failed', `cannot check or rotate ${path}: ${String(error)}`, { channel, path, errno: errnoOf(error) }, { cause: error });
  }
}
