import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { createAtomically } from './sqlite-file.js';
import { StateStore } from './state-store.js';

/** What a second bot started at the same moment leaves at `path` while this one still builds its file. */
function otherBotsFile(path: string): void {
  const other = new Database(path);
  other.exec("CREATE TABLE owner (name TEXT NOT NULL); INSERT INTO owner VALUES ('the other bot')");
  other.close();
}

describe('two bots creating the same database at once (a new data directory)', () => {
  it('the one that finishes second keeps the first one\'s file and says it did not create it', () => {
    const path = join(tempDir('tradetrace-create-race-'), 'state.sqlite');
    const created = createAtomically(path, (db) => {
      db.exec('CREATE TABLE mine (x INTEGER)');
      otherBotsFile(path);
    });
    expect(created).toBe(false);
    const kept = new Database(path, { readonly: true });
    try {
      expect(kept.prepare('SELECT name FROM owner').pluck().get()).toBe('the other bot');
    } finally {
      kept.close();
    }
    // Its own half is gone: nothing is left beside the file.
    expect(readdirSync(join(path, '..')).filter((name) => name.includes('.creating-'))).toEqual([]);
  });

  it('creates the file when nobody else does, and says so', () => {
    const path = join(tempDir('tradetrace-create-race-'), 'state.sqlite');
    expect(createAtomically(path, (db) => db.exec('CREATE TABLE mine (x INTEGER)'))).toBe(true);
    expect(existsSync(path)).toBe(true);
  });

  it('a store opened while another bot holds the directory is refused, and the other bot\'s books stay whole', () => {
    const dataDir = tempDir('tradetrace-create-race-');
    const first = StateStore.open({ dataDir });
    first.setBalances({ USD: Decimal.parse('1234.5') });
    let refused: unknown;
    try {
      StateStore.open({ dataDir, busyTimeoutMs: 0 }).close();
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).toMatch(/another (process|session)/);
    expect(first.balance('USD').toString()).toBe('1234.5');
    first.close();
  });
});
