import { accessSync, constants, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { pathKind, whyNoDirectory } from '../recorder/make-directories.js';

/** The SQLite error code (`SQLITE_CORRUPT`, `SQLITE_NOTADB`...) of a better-sqlite3 error, if any. */
export function sqliteCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** Bytes per SQLite page in the files we create (see createAtomically). */
export const PAGE_SIZE = 1024;

/**
 * WAL pages before SQLite copies them into the database. A checkpoint fsyncs the WAL and the
 * database (about 1 ms each on this machine's disk) inside whichever commit crosses the limit: at
 * SQLite's default of 1000 pages (1 MB of our 1 KB pages) that was every 90 or so orders, and 4% of
 * a replay's time. At 16 MB it is every 1,500 or so, and at close. Durability is unchanged: with
 * synchronous NORMAL a killed process loses no commit either way, and the checkpoint never made
 * recent commits safe from power loss (only `synchronous: 'full'` does, at an fsync per commit).
 */
export const WAL_CHECKPOINT_PAGES = 16_384;

/**
 * Builds a SQLite file under a temporary name with `build`, then links it into place, so `path`
 * is either absent or complete: an empty or half-made file at `path` can only be damage. A link,
 * unlike a rename, never replaces a file: two bots started at once on a new data directory both
 * build one, the second link fails, and that bot opens the first one's file, whose lock then
 * refuses it (a rename let it replace the file the first bot was already trading on). Returns false
 * when another process created `path` first. On any failure the temporary file is removed and the
 * original error thrown for the caller to name. Shared by the bot's state store and the paper
 * exchange's account file.
 */
export function createAtomically(path: string, build: (db: Database.Database) => void): boolean {
  const staging = `${path}.creating-${process.pid}`;
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // SQLite says only "unable to open database file" of a folder it may not write in.
    checkWritable([dirname(path)]);
    rmSync(staging, { force: true });
    db = new Database(staging);
    // A commit writes every page it touched to the WAL, whole: our rows are small and a commit
    // touches several tables, so 1 KB pages write a quarter of the bytes 4 KB pages would (a fill's
    // commit measured about 40% faster). Only a new file can take it: the size is fixed at creation.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    build(db);
    db.close();
    db = undefined;
    const created = publish(staging, path);
    rmSync(staging, { force: true });
    return created;
  } catch (error) {
    db?.close();
    try {
      rmSync(staging, { force: true });
    } catch {
      // The folder itself is unusable; the caller's error names it.
    }
    // A file where the folder should be gave ENOTDIR of the staging file's lstat: name the file.
    const why = error instanceof NotWritableError ? undefined : whyNoDirectory(dirname(path));
    throw why === undefined ? error : new Error(why, { cause: error });
  }
}

/** Puts `staging` at `path` unless a file is there already (false then). */
function publish(staging: string, path: string): boolean {
  try {
    linkSync(staging, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: the rename of old, which a file made meanwhile would lose to.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      renameSync(staging, path);
      return true;
    }
    throw error;
  }
}

/** An error whose message says which file or folder this process may not write, and why it must. */
export class NotWritableError extends Error {
  constructor(
    readonly path: string,
    readonly errno: string,
  ) {
    const uid = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
    super(`${path} is not writable by this process${uid}: ${errno}; the bot writes here before it trades (WAL mode also needs the folder writable). Fix its permissions or use another --data-dir`);
    this.name = 'NotWritableError';
  }
}

/**
 * SQLite reports a file it may read but not write as "disk I/O error" or "attempt to write a
 * readonly database", naming no cause; asking the OS first names the file and the permission.
 */
function checkWritable(targets: readonly string[]): void {
  for (const target of targets) {
    try {
      accessSync(target, constants.R_OK | constants.W_OK);
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code;
      if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') throw new NotWritableError(target, errno);
      throw error;
    }
  }
}

export interface SqliteFileSpec<T> {
  readonly path: string;
  /** Makes the file when it is absent (through createAtomically); false when another process made it first. */
  readonly create: () => boolean;
  /** The error for a file of 0 bytes: never left by createAtomically, so damage. */
  readonly emptyFile: () => Error;
  /** The caller's typed error for any failure (its own errors pass through unchanged). */
  readonly fail: (error: unknown) => Error;
  /** Checks and reads the file before anything is written to it, so a refused file keeps its bytes. */
  readonly check: (db: Database.Database) => T;
  /** Hold the file for this process alone (default true); its first write is taken at once. */
  readonly exclusive?: boolean | undefined;
  readonly busyTimeoutMs?: number | undefined;
  readonly synchronous?: 'normal' | 'full' | undefined;
  readonly now: number;
}

/**
 * Opens a tradetrace SQLite file, creating it when absent: the one sequence the bot's state store
 * and the paper account share. The file is checked (`check`) before WAL mode or any write touches
 * it; then, when exclusive, a write takes the lock at once, so a second process fails here rather
 * than on its first order.
 */
export function openSqliteFile<T>(spec: SqliteFileSpec<T>): { db: Database.Database; created: boolean; checked: T; identity: FileIdentity } {
  const { path } = spec;
  let created = false;
  if (!existsSync(path)) {
    try {
      setAsideOrphans(path, spec.now);
    } catch (error) {
      throw spec.fail(error);
    }
    created = spec.create();
  } else {
    // SQLite says only "unable to open database file" of a directory (or FIFO...) at the path.
    const kind = pathKind(path);
    if (kind !== 'file') throw spec.fail(new Error(`${path} is a ${kind}, not a database file: move it aside or use another --data-dir`));
    if (statSync(path).size === 0) throw spec.emptyFile();
  }
  let db: Database.Database;
  try {
    // The WAL and shared-memory files a killed run (perhaps as another user) left behind count too.
    checkWritable([path, dirname(path), ...[`${path}-wal`, `${path}-shm`].filter((file) => existsSync(file))]);
    db = new Database(path, { fileMustExist: true });
  } catch (error) {
    throw spec.fail(error);
  }
  const exclusive = spec.exclusive !== false;
  try {
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(spec.busyTimeoutMs ?? 2000))}`);
    const checked = spec.check(db);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${spec.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    if (exclusive) db.prepare("INSERT INTO meta (key, value) VALUES ('opened_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(new Date(spec.now).toISOString());
    return { db, created, checked, identity: new FileIdentity(path) };
  } catch (error) {
    db.close();
    throw spec.fail(error);
  }
}

/** What became of a file opened by path, and where its contents went: see FileIdentity.loss. */
export interface FileLoss {
  readonly lost: 'deleted' | 'replaced';
  /** The copy made of what the open connection held, when one could be made. */
  readonly rescued: string | undefined;
  /** What the operator does about it, as one clause. */
  readonly advice: string;
}

/** The files SQLite keeps beside a database: left behind by a lost one, they belong to it alone. */
const SIDE_FILES = ['-wal', '-shm'] as const;

/** The -wal and -shm paths of the database at `path`. */
export function sideFilesOf(path: string): string[] {
  return SIDE_FILES.map((suffix) => `${path}${suffix}`);
}

/** What a copy saved of a lost database is named after: `<path>.rescued-<time>`. */
export const RESCUED_INFIX = '.rescued-';

/**
 * The shell command that puts a saved copy back at `path`. The lost file's -wal and -shm must go
 * first (`clearSides`, when they are there): SQLite would replay that WAL onto the copy, a
 * malformed database.
 */
export function putBackCommand(copy: string, path: string, clearSides: boolean): string {
  return `${clearSides ? `rm -f ${sideFilesOf(path).join(' ')} && ` : ''}mv ${copy} ${path}`;
}

/**
 * The file a path named when it was opened. SQLite goes on committing to a file deleted (or replaced)
 * under its open connection, and everything it holds is gone when the connection closes: a store
 * asks before each commit, so the bot stops trading while its books can still be saved.
 */
export class FileIdentity {
  private readonly ino: number;
  private readonly dev: number;
  /** Once copied out, nothing more is committed (every write asks first), so one copy is enough. */
  private rescued: string | undefined;

  constructor(readonly path: string) {
    const stat = statSync(path);
    this.ino = stat.ino;
    this.dev = stat.dev;
  }

  /**
   * `undefined` while the path still names the opened file; else what became of it. A stat that
   * fails for another reason (EACCES, EIO) cannot tell: SQLite's own write then says what is wrong.
   */
  lost(): 'deleted' | 'replaced' | undefined {
    let now;
    try {
      now = statSync(this.path, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
    if (now === undefined) return 'deleted';
    return now.ino === this.ino && now.dev === this.dev ? undefined : 'replaced';
  }

  /**
   * Undefined while the file is where it was opened. Once it is not: its contents copied out (once)
   * and how to put them back. The lost file's -wal and -shm stay at the path: SQLite would replay
   * that WAL onto the copy put back there (a malformed database), so they must go first.
   */
  loss(db: Database.Database): FileLoss | undefined {
    const lost = this.lost();
    if (lost === undefined) return undefined;
    const rescued = this.rescue(db);
    // A file now at the path is someone's (a restored backup?): moved aside, not removed.
    const putBack = lost === 'replaced' ? `move aside the file now at ${this.path} and its -wal and -shm, then ${putBackCommand(rescued ?? '', this.path, false)}` : putBackCommand(rescued ?? '', this.path, true);
    const advice = rescued
      ? `what it held was copied to ${rescued}; once the bot has stopped, put it back: ${putBack}`
      : 'its contents could not be copied out (the folder may be gone too)';
    return { lost, rescued, advice };
  }

  /**
   * Copies what the open connection still holds to `<path>.rescued-<time>` (VACUUM INTO: a
   * consistent copy, made outside any transaction), for the operator to put back. Undefined when
   * even that fails (the folder is gone too).
   */
  private rescue(db: Database.Database, now = new Date()): string | undefined {
    if (this.rescued !== undefined) return this.rescued;
    const target = `${this.path}${RESCUED_INFIX}${now.toISOString().replace(/[-:.]/g, '')}`;
    try {
      db.prepare('VACUUM INTO ?').run(target);
      this.rescued = target;
      return target;
    } catch {
      return undefined;
    }
  }
}

/**
 * A database about to be created where the -wal or -shm of a lost one remain: SQLite would replay
 * that WAL onto the new file. They are set aside (renamed, not deleted: they hold the lost file's
 * last commits) before anything is created.
 */
function setAsideOrphans(path: string, now: number): void {
  const stamp = new Date(now).toISOString().replace(/[-:.]/g, '');
  for (const suffix of SIDE_FILES) {
    const side = `${path}${suffix}`;
    // Asked again for each: a bot started at the same moment may have made the database since, and
    // these are then its own.
    if (existsSync(path)) return;
    if (existsSync(side)) renameSync(side, `${side}.orphaned-${stamp}`);
  }
}
