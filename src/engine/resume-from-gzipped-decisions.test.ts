import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { isoTime } from '../market-data/bar.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { gzipRotated } from '../recorder/__fixtures__/gzip-rotated.js';
import { withDecision } from '../recorder/trace-context.js';
import { PaperSession, type PaperRunResult } from './paper-session.js';
import { CURSOR_FILE } from './replay-cursor.js';

const available = sharedDataAvailable();
const MINUTE = 60_000;
const BARS = 200;
const KILLED = 'session_20220101_000000';
const RESTART = 'session_20220101_000100';
const BTC = 'BTC/USD';
const ETH = 'ETH/USD';

const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

interface DataDir {
  readonly files: string[];
  readonly rows: string[];
  readonly open: (bar: number) => number;
  readonly dataDir: string;
  readonly logsDir: string;
}

/** The first BARS real BTC-PERP minutes under two names: one session trades two symbols on one clock. */
function dataDirWithCandles(): DataDir {
  const dir = tempDir('tradetrace-gz-resume-');
  const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, BARS + 1);
  const files = ['BTC_USD-1m.csv', 'ETH_USD-1m.csv'].map((name) => join(dir, name));
  for (const file of files) writeFileSync(file, `${lines.join('\n')}\n`);
  const rows = lines.slice(1);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const open = (bar: number): number => Date.parse(`${(rows[bar]?.split(',')[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`);
  return { files, rows, open, dataDir, logsDir: join(dataDir, 'logs') };
}

/**
 * A session killed right after its decision file rotated: the cursor it saved last says bar 100,
 * its log says BTC went on to bar 150 and ETH to 149 (killed between them), and all of that log is
 * in the rotated file, which the bot's compression has gzipped by the time of the restart.
 */
async function killedJustAfterRotation({ rows, open, dataDir, logsDir }: DataDir): Promise<void> {
  const killed = new Recorder({ sessionId: KILLED, sink: new FileSink(logsDir) });
  let n = 0;
  for (let bar = 101; bar <= 150; bar++) {
    for (const symbol of bar === 150 ? [BTC] : [BTC, ETH]) {
      withDecision(`dec_20211231_000000_${(n++).toString(16).padStart(6, '0')}`, () => {
        killed.emit('DECISION_START', { symbol, bar_ts: isoTime(open(bar)), price: Decimal.from(rows[bar]?.split(',')[4] ?? ''), strategy: 'ema_rsi' });
        killed.emit('DECISION_END', { symbol, outcome: 'no_signal', duration_ms: 0.01 });
      });
    }
  }
  killed.close();
  const rotated = join(logsDir, 'decisions.20220101T000059000Z.jsonl');
  renameSync(join(logsDir, 'decisions.jsonl'), rotated);
  await gzipRotated(logsDir, rotated);
  expect(existsSync(join(logsDir, 'decisions.jsonl'))).toBe(false);
  const cursorAt = open(100) + MINUTE;
  writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ last_bar_close: cursorAt, session_id: KILLED, traded: [BTC, ETH], symbols: { [BTC]: cursorAt, [ETH]: cursorAt } })}\n`);
}

async function restart({ files, dataDir, logsDir }: DataDir): Promise<PaperRunResult> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const recorder = new Recorder({ sessionId: RESTART, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files }, speed: 'max', signals: false, watchdog: false });
  const result = await session.run();
  recorder.close();
  return result;
}

describe.skipIf(!available)('a restart whose killed session\'s last decisions are only in a gzipped rotated file', () => {
  it('resumes each symbol after its last decision there: no bar decided twice, none skipped', async () => {
    const dir = dataDirWithCandles();
    await killedJustAfterRotation(dir);
    const result = await restart(dir);
    expect(result.reason, JSON.stringify(result)).toBe('data_end');

    const logs = await readLogs(dir.logsDir);
    expect(logs.bad).toEqual([]);
    const decided = (sessionId: string, symbol: string): number[] =>
      logs.lines.filter((l) => l.event_type === 'DECISION_START' && l.session_id === sessionId && f(l, 'symbol') === symbol).map((l) => Date.parse(String(f(l, 'bar_ts'))));
    for (const [symbol, lastKilled] of [[BTC, 150], [ETH, 149]] as const) {
      const after = decided(RESTART, symbol);
      expect(after[0], `${symbol}: the first bar decided after the restart`).toBe(dir.open(lastKilled + 1));
      const all = [...decided(KILLED, symbol), ...after];
      expect(new Set(all).size, `${symbol}: no bar decided twice`).toBe(all.length);
      expect(after).toHaveLength(BARS - 1 - lastKilled);
    }
  }, 120_000);

  it('refuses a candle file changed at the last bar decided there, which only the gzipped file names', async () => {
    const dir = dataDirWithCandles();
    await killedJustAfterRotation(dir);
    // BTC's bar 150 (its last decided, by the gzipped log) now closes elsewhere in its own range.
    const lines = readFileSync(dir.files[0] ?? '', 'utf8').split('\n');
    const cells = (lines[151] ?? '').split(',');
    cells[4] = cells[4] === cells[3] ? (cells[2] ?? '') : (cells[3] ?? '');
    lines[151] = cells.join(',');
    writeFileSync(dir.files[0] ?? '', lines.join('\n'));

    const result = await restart(dir);
    expect(result.error?.code, JSON.stringify(result)).toBe('data_changed');
    const logs = await readLogs(dir.logsDir);
    expect(logs.lines.filter((l) => l.event_type === 'DECISION_START' && l.session_id === RESTART)).toEqual([]);
  }, 120_000);
});
