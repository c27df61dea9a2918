import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import type { Bar } from './bar.js';
import { loadCandleFile, openCandleFile, scanCandleFile } from './candle-file.js';
import { DataChangedError } from './data-changed-error.js';
import type { DecidedBars } from './decided-bars.js';
import { ReplayFeed } from './replay-feed.js';

const hasData = sharedDataAvailable();
const SYMBOL = 'UNITTEST/BTC';
const EARLIER = 'session_20220101_000000';
const ROW = 5000;

/** The altcoin's bars and how the earlier session's preflight fingerprinted the file. */
async function earlier(): Promise<{ bars: readonly Bar[]; decided: (path: string) => DecidedBars }> {
  const file = await openCandleFile(ALTCOIN_JSON, { symbol: SYMBOL });
  const { fingerprint } = await scanCandleFile(file);
  const bars = (await loadCandleFile(file, undefined, undefined)).batches.flat();
  const bar = bars[ROW];
  if (bar === undefined) throw new Error('the altcoin file is shorter than expected');
  return {
    bars,
    decided: () => ({ dataDir: '/srv/bot/data', bars: new Map([[SYMBOL, { openTime: bar.openTime, close: bar.close, recordedBy: EARLIER, readAs: { session: EARLIER, fingerprint } }]]) }),
  };
}

async function replay(path: string, decidedBars: DecidedBars, keepPreflightBytes?: number): Promise<unknown> {
  const recorder = new Recorder({ sessionId: 'session_20220102_000000', sink: new FileSink(tempDir('tradetrace-prefix-logs-')) });
  const feed = await ReplayFeed.open({ files: [path], symbols: [SYMBOL], speed: 'max', recorder, decidedBars, ...(keepPreflightBytes === undefined ? {} : { keepPreflightBytes }) });
  const outcome = await feed.start(() => undefined).catch((error: unknown) => error);
  recorder.close();
  return outcome;
}

describe.skipIf(!hasData)('a replay compares the rows before the last decided bar with those its session read (JSON altcoin file)', () => {
  it('refuses a file with an earlier row changed, its last decided bar unchanged, kept in memory or scanned', async () => {
    const { bars, decided } = await earlier();
    const text = readFileSync(ALTCOIN_JSON, 'utf8');
    // Bar 100's volume, in its own row only: the prefix before bar ROW no longer hashes the same.
    const at = text.indexOf(String(bars[100]?.openTime));
    const end = text.indexOf(']', at);
    const row = text.slice(at, end);
    const cells = row.split(',');
    cells[5] = ` ${(Number(cells[5]) + 1).toString()}`;
    const path = join(tempDir('tradetrace-prefix-'), 'UNITTEST_BTC-1m.json');
    writeFileSync(path, text.slice(0, at) + cells.join(',') + text.slice(end));
    for (const keep of [undefined, 0]) {
      const outcome = await replay(path, decided(path), keep);
      expect(outcome, `keep ${String(keep)}`).toBeInstanceOf(DataChangedError);
      expect((outcome as DataChangedError).details.prefix?.readBy).toBe(EARLIER);
    }
  });

  it('replays the same file, and one with rows changed only far after that bar', async () => {
    const { bars, decided } = await earlier();
    const text = readFileSync(ALTCOIN_JSON, 'utf8');
    expect(await replay(ALTCOIN_JSON, decided(ALTCOIN_JSON))).toBe('data_end');
    const at = text.indexOf(String(bars[13_000]?.openTime));
    const path = join(tempDir('tradetrace-prefix-'), 'UNITTEST_BTC-1m.json');
    // The timestamp text of bar 13,000 written as a string: same bar, other bytes, 600 kB after bar ROW.
    const ts = String(bars[13_000]?.openTime);
    writeFileSync(path, `${text.slice(0, at)}"${ts}"${text.slice(at + ts.length)}`);
    expect(await replay(path, decided(path))).toBe('data_end');
  });
});
