import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, btcPerpSlice, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { replayAndSummarize } from './__fixtures__/summarized-replay.js';

const available = sharedDataAvailable();
const data = (line: AnyEventLine): Record<string, unknown> | undefined => (line as unknown as { data?: Record<string, unknown> }).data;

/** 3,000 real BTC-PERP minutes as SHORT/USD with a 10-minute hole on their first day (rows 501-510 left out). */
function holedFile(dir: string): string {
  const rows = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
  const file = join(dir, 'SHORT_USD-1m.csv');
  writeFileSync(file, `${[rows[0], ...rows.slice(1, 501), ...rows.slice(511, 3002)].join('\n')}\n`);
  return file;
}

describe.skipIf(!available)('a restart replaying history to warm up, with a position held now', () => {
  it('does not tell a hole in that history as the position\'s bars ending: it is judged on the bars decided', async () => {
    const dir = tempDir('tradetrace-ended-feed-warmup-');
    const dataDir = join(dir, 'data');
    const holed = holedFile(dir);
    const sets = ['trading.quote_currency=USD'];
    const first = await replayAndSummarize(dataDir, [btcPerpSlice(dir, 'BTC_USD-1m.csv', 20_000), holed], ['BTC/USD', 'SHORT/USD'], sets, 'session_20260105_000000');
    const held = first.logs.lines.filter((l) => l.event_type === 'BUY_FILLED').length - first.logs.lines.filter((l) => l.event_type === 'SELL_FILLED').length;
    expect(held, 'the first session ends holding a position, or this tests nothing').toBeGreaterThan(0);
    const second = await replayAndSummarize(dataDir, [btcPerpSlice(dir, 'BTC_USD-1m.csv', 25_000), holed], ['BTC/USD', 'SHORT/USD'], sets, 'session_20260105_010000');
    const ended = second.logs.lines.filter((l) => l.session_id === 'session_20260105_010000' && l.event_type === 'LOG' && data(l)?.['feed_ended'] === true);
    // The hole of 2022-01-01 (rows 501-510) lies in the history the restart only replays.
    expect(ended.filter((l) => String(data(l)?.['last_bar_ts']).startsWith('2022-01-01'))).toEqual([]);
    // What it may say is the truth of the bars decided: SHORT/USD's file ends on 2022-01-03.
    for (const line of ended) expect(String(data(line)?.['last_bar_ts'])).toMatch(/^2022-01-03T01:0\d:00\.000Z$/);
  }, 120_000);
});
