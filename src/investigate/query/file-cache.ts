import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogFile } from '../../recorder/log-files.js';

/**
 * What a query keeps of a rotated log file for the next query, under `<data-dir>/index/<name>/`
 * beside the trace index, one file per log file named by device and inode (as the index names its
 * files). Rotated files never change, so what was built once answers every later query that covers
 * the whole file. A body is served only to the very file it was built from: same device, inode,
 * size, modification time and first and last bytes, and a body whose digest matches; anything else
 * (a replaced or rewritten log, a damaged or foreign cache file) is ignored and built again.
 * Written to a temporary file and renamed into place, so a concurrent query reads a whole body or
 * none; two queries building the same one write the same bytes.
 */

/** One kind of cached body: where it lives and the header that must match for it to be served. */
export interface FileCache {
  readonly dir: string;
  readonly kind: string;
  readonly version: number;
}

const EDGE_BYTES = 4096;
/** Cache files of log files this query does not see are removed only once this old: a concurrent query may see them. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export interface FileIdentity {
  readonly base: string;
  readonly gzipped: boolean;
  readonly size: number;
  readonly mtimeNs: string;
  readonly head: string;
  readonly tail: string;
}

function edgeHash(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return createHash('sha1').update(buffer.subarray(0, got)).digest('hex');
}

/** The file as it is now, or null when it is not the `size` bytes the query listed (it changed: never cached). */
export function identify(file: LogFile, size: number): FileIdentity | null {
  try {
    const st = statSync(file.path, { bigint: true });
    if (!st.isFile() || st.size !== BigInt(size)) return null;
    const fd = openSync(file.path, 'r');
    try {
      const edge = Math.min(EDGE_BYTES, size);
      return { base: `${st.dev}-${st.ino}`, gzipped: file.gzipped, size, mtimeNs: String(st.mtimeNs), head: edgeHash(fd, 0, edge), tail: edgeHash(fd, size - edge, edge) };
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

function sameIdentity(a: FileIdentity, b: Record<string, unknown>): boolean {
  return a.base === b['base'] && a.gzipped === b['gzipped'] && a.size === b['size'] && a.mtimeNs === b['mtimeNs'] && a.head === b['head'] && a.tail === b['tail'];
}

const digest = (body: string): string => createHash('sha256').update(body).digest('hex');

/** The body cached for exactly this file, or null (none, stale, damaged or foreign: the caller scans). */
export function loadBody(cache: FileCache, id: FileIdentity): string | null {
  let text: string;
  try {
    text = readFileSync(join(cache.dir, `${id.base}.json`), 'utf8');
  } catch {
    return null;
  }
  const cut = text.indexOf('\n');
  if (cut < 0) return null;
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, cut));
  } catch {
    return null;
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return null;
  const h = header as Record<string, unknown>;
  if (h['kind'] !== cache.kind || h['v'] !== cache.version || !sameIdentity(id, h)) return null;
  const body = text.slice(cut + 1);
  return h['digest'] === digest(body) ? body : null;
}

/** Stores the body; a cache that cannot be written (a read-only data directory, a full disk) only costs the next query its speed. */
export function storeBody(cache: FileCache, id: FileIdentity, path: string, body: string): void {
  const header = JSON.stringify({ kind: cache.kind, v: cache.version, path, ...id, digest: digest(body) });
  const tmp = join(cache.dir, `${id.base}.json.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    // Cached bodies may quote log lines: no more readable than the logs themselves (opened 0640).
    mkdirSync(cache.dir, { recursive: true, mode: 0o750 });
    writeFileSync(tmp, `${header}\n${body}`, { mode: 0o640 });
    renameSync(tmp, join(cache.dir, `${id.base}.json`));
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // Never written.
    }
  }
}

/** Removes cache files of log files that are gone, and temporary files of killed queries, once ORPHAN_AGE_MS old. */
export function collectGarbage(dir: string, live: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const before = Date.now() - ORPHAN_AGE_MS;
  for (const name of names) {
    if (!name.endsWith('.tmp') && live.has(name.split('.')[0] ?? '')) continue;
    try {
      const st = statSync(join(dir, name));
      if (st.isFile() && st.mtimeMs < before) unlinkSync(join(dir, name));
    } catch {
      // Gone already (another query cleaned up first).
    }
  }
}
