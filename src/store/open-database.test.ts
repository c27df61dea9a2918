import { readFileSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { MIGRATIONS } from './migrations.js';
import { StateStore } from './state-store.js';
import { PAGE_SIZE } from './sqlite-file.js';
import { StoreError } from './store-error.js';

function storeWithData(): { dir: string; path: string; bytes: Buffer } {
  const dir = tempDir();
  const store = StateStore.open({ dataDir: dir });
  for (let i = 0; i < 200; i++) store.setBalances({ [`ASSET${i}`]: Decimal.parse(`${i}.5`) });
  store.close();
  const path = join(dir, 'state.sqlite');
  return { dir, path, bytes: readFileSync(path) };
}

function openError(dir: string): StoreError {
  try {
    StateStore.open({ dataDir: dir, busyTimeoutMs: 50 }).close();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected StateStore.open to fail');
}

describe('opening the state database', () => {
  it('refuses a file of garbage bytes with a corrupt error naming the file, and leaves the bytes untouched', () => {
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    const garbage = Buffer.from('this is not a database, just bytes\n'.repeat(200));
    writeFileSync(path, garbage);
    const error = openError(dir);
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(path);
    expect(error.details.found).toMatch(/SQLITE_NOTADB/);
    expect(error.retryable).toBe(false);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('refuses a truncated database instead of starting empty', () => {
    const { dir, path, bytes } = storeWithData();
    expect(bytes.length).toBeGreaterThan(8192);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = openError(dir);
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(path);
    expect(statSync(path).size).toBe(Math.floor(bytes.length / 2));
  });

  it('refuses an empty file: tradetrace never leaves one, so it is damage', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'state.sqlite'), '');
    const error = openError(dir);
    expect(error.code).toBe('corrupt');
    expect(error.details.found).toBe('0 bytes');
  });

  it('refuses a database written by a newer schema version, naming both versions', () => {
    const { dir, path } = storeWithData();
    const raw = new Database(path);
    raw.pragma('user_version = 7');
    raw.close();
    const error = openError(dir);
    expect(error.code).toBe('newer_schema');
    expect(error.message).toContain(path);
    expect(error.details.found).toBe('schema version 7');
    expect(error.details.expected).toBe(`schema version <= ${MIGRATIONS.length}`);
    const check = new Database(path, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM balances').get() as { n: number }).n).toBe(200);
    check.close();
  });

  it('refuses a SQLite database that is not a tradetrace state database', () => {
    const dir = tempDir();
    const raw = new Database(join(dir, 'state.sqlite'));
    raw.exec('CREATE TABLE notes (text TEXT)');
    raw.close();
    expect(openError(dir).code).toBe('foreign_database');
  });

  it('refuses a decimal column that does not hold decimal text, naming table, row and column', () => {
    const { dir, path } = storeWithData();
    const raw = new Database(path);
    raw.prepare("UPDATE balances SET amount = 'lots' WHERE asset = 'ASSET3'").run();
    raw.close();
    const error = openError(dir);
    expect(error.code).toBe('invalid_row');
    expect(error.message).toMatch(/balances row ASSET3 column amount holds "lots"/);
  });

  it('migrates an older database forward, one transaction per migration, and keeps its data', () => {
    const { dir } = storeWithData();
    const migrations = [...MIGRATIONS, { version: MIGRATIONS.length + 1, description: 'test column', up: (db: Database.Database) => db.exec("ALTER TABLE balances ADD COLUMN note TEXT NOT NULL DEFAULT ''") }];
    const store = StateStore.open({ dataDir: dir, migrations });
    expect(store.migratedFrom).toBe(MIGRATIONS.length);
    expect(store.schemaVersion).toBe(MIGRATIONS.length + 1);
    expect(store.balance('ASSET7').toString()).toBe('7.5');
    store.close();
  });

  it('leaves the database at its version when a migration fails', () => {
    const { dir, path } = storeWithData();
    const migrations = [...MIGRATIONS, { version: MIGRATIONS.length + 1, description: 'broken', up: (db: Database.Database) => { db.exec('CREATE TABLE half (x TEXT)'); db.exec('THIS IS NOT SQL'); } }];
    const error = (() => { try { StateStore.open({ dataDir: dir, migrations }); } catch (e) { return e; } return undefined; })();
    expect(error).toMatchObject({ code: 'migration_failed' });
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    raw.close();
  });

  it('creates the database atomically: no half-made file or staging file is left behind', () => {
    const dir = join(tempDir(), 'nested', 'data');
    StateStore.open({ dataDir: dir }).close();
    expect(existsSync(join(dir, 'state.sqlite'))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('creating'))).toEqual([]);
  });

  it('holds the file exclusively, so a second session on the same data directory fails to open', () => {
    const dir = tempDir();
    const first = StateStore.open({ dataDir: dir });
    const error = openError(dir);
    expect(error.code).toBe('open_failed');
    expect(error.message).toMatch(/held by another process/);
    first.close();
    StateStore.open({ dataDir: dir }).close();
  });
  it('creates new files with 1 KB pages (a commit writes whole pages), and still opens a file made with 4 KB pages', () => {
    const { dir, path } = storeWithData();
    const pageSize = (file: string): number => {
      const db = new Database(file, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true }) as number;
      } finally {
        db.close();
      }
    };
    expect(pageSize(path)).toBe(PAGE_SIZE);
    // An older file: the same data rebuilt with 4 KB pages (page size only changes outside WAL).
    const old = new Database(path);
    old.pragma('journal_mode = DELETE');
    old.pragma('page_size = 4096');
    old.exec('VACUUM');
    old.close();
    expect(pageSize(path)).toBe(4096);
    const store = StateStore.open({ dataDir: dir });
    try {
      expect(store.balance('ASSET199').toString()).toBe('199.5');
      store.setBalances({ ASSET7: Decimal.parse('1.25') });
    } finally {
      store.close();
    }
    expect(pageSize(path)).toBe(4096);
    const reopened = StateStore.open({ dataDir: dir });
    expect(reopened.balance('ASSET7').toString()).toBe('1.25');
    reopened.close();
  });
});
