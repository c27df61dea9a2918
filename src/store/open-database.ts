import type Database from 'better-sqlite3';
import { APP_MARKER, MIGRATIONS, type Migration } from './migrations.js';
import { createAtomically, openSqliteFile, sqliteCode, type FileIdentity } from './sqlite-file.js';
import { StoreError } from './store-error.js';

export interface OpenDatabaseOptions {
  /** `normal` survives a process crash (SIGKILL); `full` also survives power loss, at a cost per commit. */
  readonly synchronous?: 'normal' | 'full';
  /**
   * Hold the file for this process only, so two sessions can never trade one portfolio. Default true.
   * `false` lets other connections read the file while it is open (tests, inspection); the store still
   * assumes it is the only writer, since its bookings compute from its in-memory mirror.
   */
  readonly exclusive?: boolean;
  /** How long to wait for a lock a previous process may still hold while it exits. Default 2000. */
  readonly busyTimeoutMs?: number;
  /** Injectable for tests of the migration machinery. */
  readonly migrations?: readonly Migration[];
  readonly now?: () => number;
}

export interface OpenedDatabase {
  readonly db: Database.Database;
  readonly created: boolean;
  readonly schemaVersion: number;
  readonly migratedFrom: number;
  /** The file opened, to notice it deleted or replaced later. */
  readonly identity: FileIdentity;
}

function fail(path: string, error: unknown, what: string): StoreError {
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StoreError('corrupt', `state database ${path} is unreadable (${code}: ${message}); expected a tradetrace state database. It was left untouched: restore a backup (moved aside, the next start refuses while this data directory's paper account remains: its books would be gone)`, { path, found: `${code}: ${message}`, expected: 'a SQLite database', sqliteCode: code }, { cause: error });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StoreError('open_failed', `state database ${path} is held by another process (${code}); is another session running on this data directory?`, { path, found: code, sqliteCode: code }, { cause: error });
  }
  return new StoreError('open_failed', `cannot ${what} state database ${path}: ${message}`, { path, found: message, ...(code ? { sqliteCode: code } : {}) }, { cause: error });
}

function applyMigrations(db: Database.Database, path: string, from: number, migrations: readonly Migration[], now: number): void {
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    try {
      db.transaction(() => {
        migration.up(db);
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run('schema_version', String(migration.version));
        db.pragma(`user_version = ${migration.version}`);
      })();
    } catch (error) {
      // The migration's transaction rolled back: the file is as the previous release left it, and that release still reads it.
      const kept = db.pragma('user_version', { simple: true }) as number;
      throw new StoreError(
        'migration_failed',
        `migration ${migration.version} (${migration.description}) of ${path} failed: ${error instanceof Error ? error.message : String(error)}. Nothing was changed: the file stays at schema version ${kept}. Keep running the previous tradetrace release on this data directory (it reads schema version ${kept}), and report this message with a copy of ${path}`,
        { path, found: `version ${kept}`, expected: `version ${migration.version}` },
        { cause: error },
      );
    }
  }
  db.prepare("INSERT INTO meta (key, value) VALUES ('migrated_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(new Date(now).toISOString());
}

/**
 * Creates the database under a temporary name and links it into place once its schema exists, so
 * `path` is either absent or a complete tradetrace database: an empty or half-made file at `path`
 * can only be damage, and is reported as such.
 */
function create(path: string, migrations: readonly Migration[], now: number): boolean {
  try {
    return createAtomically(path, (db) => {
      db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)').run('app', APP_MARKER, 'created_at', new Date(now).toISOString());
      applyMigrations(db, path, 0, migrations, now);
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw fail(path, error, 'create');
  }
}

function readVersion(db: Database.Database, path: string): number {
  const check = db.pragma('quick_check') as { quick_check: string }[];
  const problems = check.map((row) => row.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) {
    throw new StoreError('corrupt', `state database ${path} is damaged: ${problems.slice(0, 3).join('; ')}. It was left untouched: restore a backup or move it aside`, { path, found: problems.slice(0, 3).join('; '), expected: 'quick_check ok' });
  }
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  const marker = hasMeta ? (db.prepare("SELECT value FROM meta WHERE key = 'app'").get() as { value: string } | undefined)?.value : undefined;
  if (marker !== APP_MARKER) {
    throw new StoreError('foreign_database', `${path} is a SQLite database but not a tradetrace state database (meta.app is ${marker === undefined ? 'missing' : JSON.stringify(marker)}); refusing to write into it`, { path, found: marker ?? 'no meta.app', expected: APP_MARKER });
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/** Opens (or creates) the state database at `path`, checks it, migrates it, and turns on WAL. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length;
  const now = (options.now ?? Date.now)();
  const opened = openSqliteFile({
    path,
    now,
    create: () => create(path, migrations, now),
    emptyFile: () => new StoreError('corrupt', `state database ${path} is an empty file (0 bytes); expected a tradetrace state database. tradetrace never leaves an empty file behind, so this is damage: restore a backup or move it aside`, { path, found: '0 bytes', expected: 'a SQLite database' }),
    fail: (error) => (error instanceof StoreError ? error : fail(path, error, 'open')),
    check: (db) => {
      const version = readVersion(db, path);
      if (version > latest) {
        throw new StoreError('newer_schema', `state database ${path} has schema version ${version}, newer than the ${latest} this tradetrace knows; it was written by a newer version. Upgrade tradetrace, or restore a backup made by this version`, { path, found: `schema version ${version}`, expected: `schema version <= ${latest}` });
      }
      if (version < latest) applyMigrations(db, path, version, migrations, now);
      return version;
    },
    exclusive: options.exclusive,
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: options.synchronous,
  });
  return { db: opened.db, created: opened.created, schemaVersion: latest, migratedFrom: opened.checked, identity: opened.identity };
}
