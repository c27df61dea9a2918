import { join } from 'node:path';
import { collectGarbage as collectCacheGarbage, loadBody, storeBody, type FileCache, type FileIdentity } from './file-cache.js';
import { decodeSummary, encodeSummary } from './why-summary-codec.js';
import type { FileSummary } from './why-summary.js';

export { identify, type FileIdentity } from './file-cache.js';

/**
 * `why`'s per-file summaries of rotated decisions files, under `<data-dir>/index/why/`, kept and
 * served as file-cache.ts keeps every per-file cache: only to the very file each was built from.
 */

const KIND = 'tradetrace-why-summary';
// 2: summaries say whether `sessions` may use them (endSessions); a version 1 file is rebuilt.
const VERSION = 2;

export function cacheDir(dataDir: string): string {
  return join(dataDir, 'index', 'why');
}

const whyCache = (dataDir: string): FileCache => ({ dir: cacheDir(dataDir), kind: KIND, version: VERSION });

/** The summary cached for exactly this file, or null (none, stale, damaged or foreign: the caller scans). */
export function loadSummary(dataDir: string, id: FileIdentity): FileSummary | null {
  const body = loadBody(whyCache(dataDir), id);
  return body === null ? null : decodeSummary(body);
}

/** Stores the summary; a cache that cannot be written only costs the next query its speed. */
export function storeSummary(dataDir: string, id: FileIdentity, path: string, summary: FileSummary): void {
  storeBody(whyCache(dataDir), id, path, encodeSummary(summary));
}

/** Removes summaries of log files that are gone, and temporary files of killed queries, once an hour old. */
export function collectGarbage(dataDir: string, live: ReadonlySet<string>): void {
  collectCacheGarbage(cacheDir(dataDir), live);
}
