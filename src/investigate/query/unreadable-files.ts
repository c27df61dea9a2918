import type { LogReadError } from '../log-read-error.js';

/**
 * A log file a query could not read, or not to its end (a .gz cut short or damaged, a directory
 * where a rotated file belongs, a file without read permission). Like an unreadable line, it never
 * stops the query: the other files, and the part of this one that could be read, are the answer,
 * and the end-of-query note says which file and why.
 */
export interface UnreadableFile {
  readonly path: string;
  readonly errno: string | undefined;
  readonly reason: string;
  /** Bytes of the file (decompressed for a .gz) read before it failed; 0 when none could be. */
  readonly readBytes: number;
}

// Process-wide: the readers that meet an unreadable file (gzip streams, the log set's listing, the
// index) are far from the query's SkippedLines; a CLI process runs one query (or one --follow).
const noted = new Map<string, UnreadableFile>();
const reported = new Set<string>();

/** Records that `error.path` could not be read past `readBytes` (once per file; the first failure is the one told). */
export function noteUnreadableFile(error: LogReadError, readBytes = 0): void {
  if (noted.has(error.path)) return;
  noted.set(error.path, { path: error.path, errno: error.errno, reason: error.reason, readBytes });
}

/** The failure noted for this file, if any. */
export function unreadableFile(path: string): UnreadableFile | undefined {
  return noted.get(path);
}

/** How many files were noted so far: a reader compares it before and after to learn whether a file it read was whole. */
export function unreadableFileCount(): number {
  return noted.size;
}

/** The files noted and not yet handed out (a --follow reports each once). */
export function takeUnreadableFiles(): UnreadableFile[] {
  const out = [...noted.values()].filter((f) => !reported.has(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of out) reported.add(f.path);
  return out;
}

/** For tests running several queries in one process. */
export function forgetUnreadableFiles(): void {
  noted.clear();
  reported.clear();
}
