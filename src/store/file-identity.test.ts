import { execSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { StateStore } from './state-store.js';

describe('state.sqlite replaced under the open store (a backup restored while the bot runs)', () => {
  it('refuses the next booking as file_gone "replaced", and its advice, run as written after moving the newcomer aside, puts the books back', () => {
    const dataDir = tempDir('tradetrace-file-identity-');
    const store = StateStore.open({ dataDir });
    store.setBalances({ USD: Decimal.parse('1234.5') });
    // Another database takes the path: what `cp backup.sqlite state.sqlite` over a running bot does.
    const otherDir = tempDir('tradetrace-file-identity-other-');
    const other = StateStore.open({ dataDir: otherDir });
    other.setBalances({ USD: Decimal.parse('1') });
    other.close();
    renameSync(join(otherDir, 'state.sqlite'), join(dataDir, 'state.sqlite'));

    let refused: unknown;
    try {
      store.setBalances({ USD: Decimal.parse('999') });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'file_gone', details: { found: 'replaced' } });
    const message = (refused as Error).message;
    expect(message).toContain(`state database ${join(dataDir, 'state.sqlite')} was replaced while the bot had it open`);
    const advice = /put it back: move aside the file now at (\S+) and its -wal and -shm, then (mv \S+ \S+)$/.exec(message);
    expect(advice?.[1]).toBe(join(dataDir, 'state.sqlite'));
    store.close();

    // The operator moves the newcomer aside (it is someone's file: not removed), then runs the command.
    for (const suffix of ['', '-wal', '-shm']) execSync(`[ ! -e ${dataDir}/state.sqlite${suffix} ] || mv ${dataDir}/state.sqlite${suffix} ${dataDir}/newcomer.sqlite${suffix}`);
    execSync(advice?.[2] ?? 'false');
    const books = StateStore.open({ dataDir });
    expect(books.balance('USD').toString()).toBe('1234.5');
    books.close();
  });
});
