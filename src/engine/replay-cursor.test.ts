import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
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

describe('ReplayCursor decided_by', () => {
  const BTC = 'BTC/USD';
  const ETH = 'ETH/USD';
  const close = Date.UTC(2022, 0, 1, 0, 41);
  const file = (dataDir: string): Record<string, unknown> => JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as Record<string, unknown>;

  it('names the session that decided each kept price, and keeps that name through a session that only carried it', () => {
    const dataDir = tempDir('tt-cursor-');
    const first = new ReplayCursor(dataDir, 'session_20220101_000000', [BTC]);
    first.claim();
    first.advance(BTC, close, Decimal.parse('46554'));
    first.save();
    expect(file(dataDir)).toMatchObject({ session_id: 'session_20220101_000000', decided_by: { [BTC]: 'session_20220101_000000' } });

    // A restart refused before its first bar claims the file, but decided nothing.
    const refused = new ReplayCursor(dataDir, 'session_20220102_000000', [BTC]);
    refused.read();
    expect(refused.decidedBy(BTC)).toBe('session_20220101_000000');
    refused.carry(BTC, close, Decimal.parse('46554'), refused.decidedBy(BTC));
    refused.claim();
    expect(file(dataDir)).toMatchObject({ session_id: 'session_20220102_000000', decided_by: { [BTC]: 'session_20220101_000000' } });

    const next = new ReplayCursor(dataDir, 'session_20220103_000000', [BTC]);
    next.read();
    expect(next.decidedBy(BTC)).toBe('session_20220101_000000');
    next.advance(BTC, close + 60_000, Decimal.parse('46588'));
    next.save();
    expect(next.decidedBy(BTC)).toBe('session_20220103_000000');
    expect(file(dataDir)).toMatchObject({ decided_by: { [BTC]: 'session_20220103_000000' } });
  });

  it('reads a file from before decided_by: its writer decided the symbols it traded, nobody known the others', () => {
    const dataDir = tempDir('tt-cursor-');
    writeFileSync(join(dataDir, CURSOR_FILE), JSON.stringify({ last_bar_close: close, session_id: 'session_20220101_000000', traded: [BTC], symbols: { [BTC]: close, [ETH]: close - 60_000 }, prices: { [BTC]: '46554', [ETH]: '3700' } }));
    const cursor = new ReplayCursor(dataDir, 'session_20220102_000000', [BTC, ETH]);
    cursor.read();
    expect(cursor.decidedBy(BTC)).toBe('session_20220101_000000');
    expect(cursor.decidedBy(ETH)).toBeUndefined();
  });
});
