import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { CURSOR_FILE, ReplayCursor } from './replay-cursor.js';

describe('ReplayCursor on a full disk', () => {
  it('a write that fails with ENOSPC throws that error and leaves no paper-cursor.json.tmp; the cursor written before stays', () => {
    const dataDir = tempDir('tt-cursor-full-');
    const cursor = new ReplayCursor(dataDir, 'session_20220101_130000', ['BTC/USD']);
    const close = Date.UTC(2022, 0, 1, 13, 1);
    cursor.advance('BTC/USD', close);
    const before = readFileSync(join(dataDir, CURSOR_FILE), 'utf8');

    // The temp file is /dev/full: created (opened) fine, every write fails with ENOSPC, as on a full disk.
    const temp = join(dataDir, `${CURSOR_FILE}.tmp`);
    symlinkSync('/dev/full', temp);
    cursor.note('BTC/USD', close + 60_000, undefined);
    let thrown: unknown;
    try {
      cursor.save();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'ENOSPC', syscall: 'write' });
    expect(() => lstatSync(temp)).toThrow(/ENOENT/);
    expect(readdirSync(dataDir)).toEqual([CURSOR_FILE]);
    expect(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')).toBe(before);

    // Room again: the next save writes what was noted.
    cursor.save();
    expect(existsSync(temp)).toBe(false);
    expect((JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as { symbols: Record<string, number> }).symbols).toEqual({ 'BTC/USD': close + 60_000 });
  });
});
