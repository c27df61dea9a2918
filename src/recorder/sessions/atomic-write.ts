import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { SessionError } from './session-error.js';

/**
 * Replaces `path` with `text` so that a reader (or a crash) sees either the old file or the new
 * one, never half of it: write a sibling temp file, fsync it, rename it over the target.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o640);
    const data = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      rmSync(temp, { force: true });
    } catch {
      // The temp file never existed (its directory is missing or not a directory): nothing to clean.
    }
    throw new SessionError('write_failed', `cannot write ${path}: ${(error as Error).message}`, path, { cause: error });
  }
}
