import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { StateStore } from './state-store.js';

// `rm state.sqlite` leaves its -wal and -shm behind. A database created there afterwards had SQLite
// replay that WAL onto it: pages of another file, a malformed database.
describe('a state database created where a lost one left its -wal and -shm', () => {
  it('sets them aside (renamed, not deleted) and opens clean', () => {
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    const lost = StateStore.open({ dataDir: dir, exclusive: false });
    for (let i = 0; i < 50; i++) lost.setBalances({ USDT: Decimal.parse(`${1000 + i}`) });
    copyFileSync(`${path}-wal`, join(dir, 'kept-wal'));
    lost.close();
    rmSync(path);
    copyFileSync(join(dir, 'kept-wal'), `${path}-wal`);
    rmSync(join(dir, 'kept-wal'));

    const fresh = StateStore.open({ dataDir: dir });
    expect(fresh.created).toBe(true);
    expect(fresh.balances().size).toBe(0);
    fresh.setBalances({ USDT: Decimal.parse('5') });
    fresh.close();
    const reopened = StateStore.open({ dataDir: dir });
    expect(reopened.balance('USDT').toString()).toBe('5');
    reopened.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(readdirSync(dir).filter((name) => /^state\.sqlite-wal\.orphaned-\d{8}T\d{9}Z$/.test(name))).toHaveLength(1);
  });
});
