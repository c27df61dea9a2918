import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { systemRecording } from './__fixtures__/system-recording.js';
import { Decimal } from '../domain/decimal.js';
import { CandleFileError } from './candle-file-error.js';
import { ReplayFeed } from './replay-feed.js';

const hasData = sharedDataAvailable();

/** Replays a copy of the BTC month, cutting the copy down to its first 1,000 rows once the first bar is delivered. */
async function replayCutAfterStart(keepPreflightBytes?: number) {
  const dir = tempDir();
  const file = join(dir, 'BTC-PERP.csv');
  copyFileSync(BTC_PERP_CSV, file);
  const firstRows = readFileSync(file, 'utf8').split('\n').slice(0, 1001).join('\n');
  const rec = systemRecording(join(dir, 'logs'));
  const feed = await ReplayFeed.open({ files: [file], speed: 'max', recorder: rec.recorder, ...(keepPreflightBytes === undefined ? {} : { keepPreflightBytes }) });
  let bars = 0;
  let lastClose = '';
  const reason = await feed.start((bar) => {
    if (bars++ === 0) writeFileSync(file, `${firstRows}\n`);
    lastClose = bar.close.toString();
  });
  return { reason, bars, lastClose, start: rec.lines().find((l) => l.event_type === 'FEED_START') };
}

describe.skipIf(!hasData)('a replay of a file small enough to keep (the BTC month, 3 MB)', () => {
  it('delivers the bars its preflight checked and fingerprinted, read once: a file changed under it after the start changes nothing', async () => {
    const { reason, bars, lastClose, start } = await replayCutAfterStart();
    expect(reason).toBe('data_end');
    expect(bars).toBe(45_031);
    expect(start).toMatchObject({ bars_expected: 45_031 });
    const rows = readFileSync(BTC_PERP_CSV, 'utf8').trim().split('\n');
    expect(lastClose).toBe(Decimal.parse(rows.at(-1)?.split(',')[4] ?? '').toString());
  });

  it('above keepPreflightBytes, reads the file again as it replays (the preflight only scans it), and so meets the cut', async () => {
    const outcome = await replayCutAfterStart(1024).then(
      (run) => run.bars,
      (error: unknown) => error,
    );
    // Where the cut lands in the reader's chunks decides which: the rows stop at the cut file's end,
    // or a row torn by the cut is refused as bad input (naming its file and line).
    if (typeof outcome === 'number') expect(outcome).toBeLessThan(45_031);
    else expect(outcome).toBeInstanceOf(CandleFileError);
  });
});
