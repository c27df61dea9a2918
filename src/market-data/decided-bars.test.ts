import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { lineSchema, type EventType } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { DataChangedError } from './data-changed-error.js';
import type { DecidedBars } from './decided-bars.js';
import { ReplayFeed } from './replay-feed.js';

const hasData = sharedDataAvailable();
const SYMBOL = 'BTC/USD';
const EARLIER = 'session_20220101_000000';
const DATA_DIR = '/srv/bot/data';

/** The BTC-PERP month's lines (header first), to copy and alter in a temp dir. */
const csvLines = (): string[] => readFileSync(BTC_PERP_CSV, 'utf8').trimEnd().split('\n');
const openOf = (row: string): number => Date.parse(`${(row.split(',')[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`);
const closeOf = (row: string): string => row.split(',')[4] ?? '';
const withClose = (row: string, close: string): string => row.split(',').map((cell, i) => (i === 4 ? close : cell)).join(',');

function writeCsv(lines: readonly string[]): string {
  const path = join(tempDir('tradetrace-decided-'), 'BTC_USD-1m.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const decided = (symbol: string, openTime: number, close: string): DecidedBars => ({
  dataDir: DATA_DIR, bars: new Map([[symbol, { openTime, close: Decimal.parse(close), recordedBy: EARLIER }]]),
});

/** Replays `path` with the decided bars; the bars delivered, the error if it failed, and the system lines written. */
async function replay(path: string, decidedBars: DecidedBars, symbol = SYMBOL) {
  const dir = tempDir('tradetrace-decided-logs-');
  const recorder = new Recorder({ sessionId: 'session_20220102_000000', sink: new FileSink(dir) });
  const feed = await ReplayFeed.open({ files: [path], symbols: [symbol], speed: 'max', recorder, decidedBars });
  let delivered = 0;
  const outcome = await feed.start(() => void delivered++).catch((error: unknown) => error);
  recorder.close();
  const lines = readFileSync(join(dir, 'system.jsonl'), 'utf8').trimEnd().split('\n').map((text) => {
    const line = JSON.parse(text) as Record<string, unknown> & { event_type: EventType };
    lineSchema(line.event_type).parse(line);
    return line;
  });
  return { outcome, delivered, lines };
}

describe.skipIf(!hasData)('a replay checks the last bar decided on its data directory (real candles, altered in a temp dir)', () => {
  const ROW = 1000;

  it('replays a file that still holds that bar with the same close, even written another way (4.6554e4 for 46554.0)', async () => {
    const lines = csvLines();
    const row = lines[ROW] ?? '';
    const close = closeOf(row);
    // A re-export that writes the same prices differently is the same data: the row goes through the exact path.
    lines[ROW] = withClose(row, `${Decimal.parse(close).toNumber() / 10_000}e4`);
    const { outcome, delivered, lines: logged } = await replay(writeCsv(lines), decided(SYMBOL, openOf(row), close));
    expect(outcome).toBe('data_end');
    expect(delivered).toBe(lines.length - 1);
    // Its rows before that bar could not be compared (no session logged how they hashed): said in a LOG line.
    expect(logged.map((l) => l.event_type)).toEqual(['LOG', 'FEED_START', 'FEED_END']);
  });

  it('refuses a file whose bar there has another close, before delivering any bar, naming file, symbol, time, both closes and the session', async () => {
    const lines = csvLines();
    const row = lines[ROW] ?? '';
    const recorded = closeOf(row);
    const cells = row.split(',');
    // Another close inside the bar's own range, so the file is a valid candle file, only not the same one.
    const changed = cells[3] === recorded ? cells[2] ?? '' : cells[3] ?? '';
    expect(changed).not.toBe(recorded);
    lines[ROW] = withClose(row, changed);
    const path = writeCsv(lines);
    const { outcome, delivered, lines: logged } = await replay(path, decided(SYMBOL, openOf(row), recorded));
    expect(delivered).toBe(0);
    expect(outcome).toBeInstanceOf(DataChangedError);
    const error = outcome as DataChangedError;
    expect(error).toMatchObject({ code: 'data_changed', retryable: false });
    expect(error.details.foundClose?.toString()).toBe(Decimal.parse(changed).toString());
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(error.message).toBe(
      `${path} is not the data ${DATA_DIR} traded ${SYMBOL} on: its bar of ${new Date(openOf(row)).toISOString()} (the last one decided there) closed at ${Decimal.parse(recorded).toString()} when session ${EARLIER} decided on it, and the file now says ${Decimal.parse(changed).toString()} ` +
        `(the file now: ${readFileSync(path).length} bytes, sha256 ${sha256}). Nothing was decided on it. ` +
        `Put the original file back at ${path} and restart (rows appended after its end are fine), or start over in a new --data-dir: the positions and PnL in ${DATA_DIR} belong to the old data`,
    );
    // No FEED_START: the feed never started; FEED_END says why it ended.
    expect(logged.map((l) => l.event_type)).toEqual(['FEED_END']);
    expect(logged[0]).toMatchObject({ reason: 'error', error_code: 'data_changed', bars: 0, message: error.message });
  });

  it('refuses a file that has no bar at that time inside its span (the row is gone)', async () => {
    const lines = csvLines();
    const row = lines[ROW] ?? '';
    lines.splice(ROW, 1);
    const path = writeCsv(lines);
    const { outcome, delivered } = await replay(path, decided(SYMBOL, openOf(row), closeOf(row)));
    expect(delivered).toBe(0);
    expect(outcome).toMatchObject({ code: 'data_changed' });
    expect((outcome as Error).message).toContain(`and the file now has no bar at that time, though it spans 2021-12-31T23:01:00.000Z to 2022-02-01T05:31:00.000Z`);
    expect((outcome as DataChangedError).details.foundClose).toBeUndefined();
  });

  it('replays a file that starts after that bar (the next export goes on from there) or ends before it', async () => {
    const lines = csvLines();
    const row = lines[ROW] ?? '';
    const later = [lines[0] ?? '', ...lines.slice(ROW + 1)];
    const after = await replay(writeCsv(later), decided(SYMBOL, openOf(row), '1'));
    expect(after.outcome).toBe('data_end');
    expect(after.delivered).toBe(later.length - 1);
    const earlier = lines.slice(0, ROW);
    const before = await replay(writeCsv(earlier), decided(SYMBOL, openOf(row), '1'));
    expect(before.outcome).toBe('data_end');
  });

  it('checks only the symbol the bar was decided for', async () => {
    const lines = csvLines();
    const row = lines[ROW] ?? '';
    const { outcome } = await replay(writeCsv(lines), decided('ETH/USD', openOf(row), '1'));
    expect(outcome).toBe('data_end');
  });

  it('checks a JSON file as well: the altcoin with another close at a decided bar, or none there, is refused', async () => {
    const path = join(tempDir('tradetrace-decided-'), 'UNITTEST_BTC-1m.json');
    writeFileSync(path, readFileSync(ALTCOIN_JSON));
    const at = Date.parse('2017-11-04T23:07:00Z');
    const same = await replay(path, decided('UNITTEST/BTC', at, '0.00160345'), 'UNITTEST/BTC');
    expect(same.outcome, String(same.outcome)).toBe('data_end');
    const other = await replay(path, decided('UNITTEST/BTC', at, '0.0016'), 'UNITTEST/BTC');
    expect(other.delivered).toBe(0);
    expect(other.outcome).toMatchObject({ code: 'data_changed' });
    expect((other.outcome as Error).message).toContain('closed at 0.0016 when session session_20220101_000000 decided on it, and the file now says 0.00160345 ');
    // 23:08 to 23:13 is one of the file's own gaps: no session decided a bar there on this file.
    const gap = await replay(path, decided('UNITTEST/BTC', Date.parse('2017-11-04T23:10:00Z'), '0.0016'), 'UNITTEST/BTC');
    expect(gap.outcome).toMatchObject({ code: 'data_changed' });
    expect((gap.outcome as Error).message).toContain('the file now has no bar at that time, though it spans 2017-11-04T23:02:00.000Z to ');
  });
});
