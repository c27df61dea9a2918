import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { CURSOR_FILE, ReplayCursor } from './replay-cursor.js';

afterEach(() => {
  vi.useRealTimers();
});

const stored = (dataDir: string): Record<string, number> => (JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as { symbols: Record<string, number> }).symbols;

describe('ReplayCursor', () => {
  it('writes once a second on the monotonic clock: a wall clock set back an hour does not stop the writes for that hour', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const dataDir = tempDir('tt-cursor-');
    const cursor = new ReplayCursor(dataDir, 'session_20220101_130000', ['BTC/USD']);
    const first = Date.UTC(2022, 0, 1, 13, 1);
    cursor.claim();
    cursor.advance('BTC/USD', first);
    // Within the second: noted, not yet written.
    expect(stored(dataDir)).toEqual({});
    vi.setSystemTime(Date.now() - 3_600_000);
    vi.advanceTimersByTime(1500);
    cursor.advance('BTC/USD', first + 60_000);
    expect(stored(dataDir)).toEqual({ 'BTC/USD': first + 60_000 });
  });
});
