import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { CURSOR_FILE, ReplayCursor } from './replay-cursor.js';
import { TimeframeChangedError } from './timeframe-changed-error.js';

const BTC = 'BTC/USD';
const FIVE = 300_000;
const close = Date.UTC(2022, 0, 1, 1, 5);

describe('ReplayCursor and the bar length', () => {
  it('writes the bar length with its closes, and refuses a session of another one where bars were decided', () => {
    const dataDir = tempDir('tt-cursor-timeframe-');
    const first = new ReplayCursor(dataDir, 'session_20220101_000000', [BTC], 1000, FIVE);
    first.read();
    first.advance(BTC, close, Decimal.parse('46000'));
    first.save();
    expect(JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8'))).toMatchObject({ interval_ms: FIVE, symbols: { [BTC]: close } });
    expect(new ReplayCursor(dataDir, 'session_20220101_000100', [BTC], 1000, FIVE).read()).toBe(close);
    const minutes = new ReplayCursor(dataDir, 'session_20220101_000200', [BTC]);
    expect(() => minutes.read()).toThrow(TimeframeChangedError);
    expect(() => minutes.read()).toThrow(
      `${dataDir} was traded on 5m bars (${join(dataDir, CURSOR_FILE)} says so, by session session_20220101_000000), and market_data.timeframe is now 1m: resuming would mix bars of the two lengths. Nothing was decided.`,
    );
  });

  it('reads a cursor written before it said its bar length as 1-minute bars', () => {
    const dataDir = tempDir('tt-cursor-timeframe-');
    writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ last_bar_close: close, session_id: 'session_20220101_000000', traded: [BTC], symbols: { [BTC]: close } })}\n`);
    expect(new ReplayCursor(dataDir, 'session_20220101_000100', [BTC]).read()).toBe(close);
    expect(() => new ReplayCursor(dataDir, 'session_20220101_000100', [BTC], 1000, FIVE).read()).toThrow('was traded on 1m bars');
  });

  it('lets any bar length start over a cursor that holds no decided bar (a first session refused before its first bar)', () => {
    const dataDir = tempDir('tt-cursor-timeframe-');
    new ReplayCursor(dataDir, 'session_20220101_000000', [BTC], 1000, FIVE).claim();
    const next = new ReplayCursor(dataDir, 'session_20220101_000100', [BTC]);
    expect(next.read()).toBeUndefined();
    next.claim();
    expect(JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8'))).toMatchObject({ interval_ms: 60_000 });
  });
});
