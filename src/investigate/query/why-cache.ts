import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogFile } from '../../recorder/log-files.js';
import { decodeSummary, encodeSummary } from './why-summary-codec.js';
import type { FileSummary } from './why-summary.js';

/**
 * `why`'s per-file summaries of rotated decisions files, under `<data-dir>/index/why/` beside the
 * trace index, one file per log file named by device and inode (as the index names its files).
 * Rotated files never change, so a summary built once answers every later query that covers the
 * whole file. A summary is served only to the very file it was built from: same device, inode,
 * size, modification time and first and last bytes, and a body whose digest matches; anything else
 * (a replaced or rewritten log, a damaged or foreign cache file) is ignored and built again.
 * Written to a temporary file and renamed into place, so a concurrent query reads a whole summary
 * or none; two queries building the same one write the same bytes.
 */

const KIND = 'tradetrace-why-summary';
// 2: summaries say whether `sessions` may use them (endSessions); a version 1 file is rebuilt.
const VERSION = 2;
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

export function cacheDir(dataDir: string): string {
  return join(dataDir, 'index', 'why');
}

/** The summary cached for exactly this file, or null (none, stale, damaged or foreign: the caller scans). */
export function loadSummary(dataDir: string, id: FileIdentity): FileSummary | null {
  let text: string;
  try {
    text = readFileSync(join(cacheDir(dataDir), `${id.base}.json`), 'utf8');
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
  if (h['kind'] !== KIND || h['v'] !== VERSION || !sameIdentity(id, h)) return null;
  const body = text.slice(cut + 1);
  if (h['digest'] !== digest(body)) return null;
  return decodeSummary(body);
}

/** Stores the summary; a cache that cannot be written only costs the next query its speed. */
export function storeSummary(dataDir: string, id: FileIdentity, path: string, summary: FileSummary): void {
  const dir = cacheDir(dataDir);
  const body = encodeSummary(summary);
  const header = JSON.stringify({ kind: KIND, v: VERSION, path, ...id, digest: digest(body) });
  const tmp = join(dir, `${id.base}.json.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    // Summaries quote log lines: no more readable than the logs themselves (opened 0640).
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    writeFileSync(tmp, `${header}\n${body}`, { mode: 0o640 });
    renameSync(tmp, join(dir, `${id.base}.json`));
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // Never written.
    }
  }
}

/** Removes summaries of log files that are gone, and temporary files of killed queries, once ORPHAN_AGE_MS old. */
export function collectGarbage(dataDir: string, live: ReadonlySet<string>): void {
  const dir = cacheDir(dataDir);
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
