import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** The SQLite error code (`SQLITE_CORRUPT`, `SQLITE_NOTADB`...) of a better-sqlite3 error, if any. */
export function sqliteCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** Bytes per SQLite page in the files we create (see createAtomically). */
export const PAGE_SIZE = 1024;

/**
 * Builds a SQLite file under a temporary name with `build`, then renames it into place, so `path`
 * is either absent or complete: an empty or half-made file at `path` can only be damage. On any
 * failure the temporary file is removed and the original error thrown for the caller to name.
 * Shared by the bot's state store and the paper exchange's account file.
 */
export function createAtomically(path: string, build: (db: Database.Database) => void): void {
  const staging = `${path}.creating-${process.pid}`;
  let db: Database.Database | undefined;
  try {
    rmSync(staging, { force: true });
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(staging);
    // A commit writes every page it touched to the WAL, whole: our rows are small and a commit
    // touches several tables, so 1 KB pages write a quarter of the bytes 4 KB pages would (a fill's
    // commit measured about 40% faster). Only a new file can take it: the size is fixed at creation.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    build(db);
    db.close();
    db = undefined;
    renameSync(staging, path);
  } catch (error) {
    db?.close();
    try {
      rmSync(staging, { force: true });
    } catch {
      // The folder itself is unusable; the caller's error names it.
    }
    throw error;
  }
}
