import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { isoTime } from '../market-data/bar.js';
import { readLogs, type ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperSession } from './paper-session.js';
import { CURSOR_FILE } from './replay-cursor.js';

const available = sharedDataAvailable();
const MINUTE = 60_000;
const BARS = 240;
const KILLED = 'session_20220101_000000';
const BTC = 'BTC/USD';
const ETH = 'ETH/USD';

const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

/**
 * The first BARS real BTC-PERP minutes as BTC, and as ETH with two holes: bars 50-59 (before the
 * resume point, at bar 150) and 200-204 (after it). With BTC running on, ETH goes stale in each.
 */
function files(dir: string): { files: string[]; open: (bar: number) => number } {
  const rows = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, BARS + 1);
  const [header = '', ...bars] = rows;
  const holed = bars.filter((_, bar) => !(bar >= 50 && bar <= 59) && !(bar >= 200 && bar <= 204));
  const btc = join(dir, 'BTC_USD-1m.csv');
  const eth = join(dir, 'ETH_USD-1m.csv');
  writeFileSync(btc, `${rows.join('\n')}\n`);
  writeFileSync(eth, `${[header, ...holed].join('\n')}\n`);
  const opens = bars.map((row) => Date.parse(`${(row.split(',')[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`));
  return { files: [btc, eth], open: (bar) => opens[bar] ?? Number.NaN };
}

async function runSession(dataDir: string, logsDir: string, replayed: string[], sessionId: string): Promise<ReadBack> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: replayed }, speed: 'max', signals: false, watchdog: false });
  const result = await session.run();
  recorder.close();
  expect(result.reason, JSON.stringify(result)).toBe('data_end');
  const logs = await readLogs(logsDir);
  expect(logs.bad).toEqual([]);
  return logs;
}

describe.skipIf(!available)('a restart replaying the bars an earlier session decided, to warm up', () => {
  it('does not report their holes and stale spells again, nor count them in its FEED_END', async () => {
    const dir = tempDir('tradetrace-replayed-gaps-');
    const { files: replayed, open } = files(dir);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const logsDir = join(dataDir, 'logs');
    const decidedUntil = open(150) + MINUTE;
    writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ last_bar_close: decidedUntil, session_id: KILLED, symbols: { [BTC]: decidedUntil, [ETH]: decidedUntil } })}\n`);

    const logs = await runSession(dataDir, logsDir, replayed, 'session_20220101_000100');
    const of = (type: string): AnyEventLine[] => logs.lines.filter((l) => l.event_type === type);
    // Only the hole after the resume point, in the bars this session decided.
    expect(of('DATA_GAP').map((l) => [f(l, 'symbol'), f(l, 'from'), f(l, 'missing_bars')])).toEqual([[ETH, isoTime(open(200)), 5]]);
    expect(of('DATA_STALE').map((l) => f(l, 'last_bar_ts'))).toEqual([isoTime(open(199))]);
    expect(of('DATA_RESUMED').map((l) => f(l, 'bar_ts'))).toEqual([isoTime(open(205))]);
    expect(of('FEED_END').map((l) => [f(l, 'gaps'), f(l, 'missing_bars')])).toEqual([[1, 5]]);
  }, 120_000);

  it('still reports a fresh session\'s holes from its first bar, warm-up included', async () => {
    const dir = tempDir('tradetrace-replayed-gaps-');
    const { files: replayed, open } = files(dir);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const logsDir = join(dataDir, 'logs');
    const logs = await runSession(dataDir, logsDir, replayed, 'session_20220101_000200');
    const of = (type: string): AnyEventLine[] => logs.lines.filter((l) => l.event_type === type);
    expect(of('DATA_GAP').map((l) => [f(l, 'from'), f(l, 'missing_bars')])).toEqual([[isoTime(open(50)), 10], [isoTime(open(200)), 5]]);
    expect(of('DATA_STALE')).toHaveLength(2);
    expect(of('FEED_END').map((l) => [f(l, 'gaps'), f(l, 'missing_bars')])).toEqual([[2, 15]]);
  }, 120_000);
});
