import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperSession, type PaperRunResult } from './paper-session.js';
import { CURSOR_FILE } from './replay-cursor.js';

const available = sharedDataAvailable();
const MINUTE = 60_000;
const SYMBOL = 'BTC/USD';
const FIRST = 'session_20220101_000000';
const KILLED = 'session_20220101_000100';
const RESTART = 'session_20220101_000200';

const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];
/** The real BTC-PERP month, header first. */
const month = (): string[] => readFileSync(BTC_PERP_CSV, 'utf8').trimEnd().split('\n');
const openOf = (row: string): number => Date.parse(`${(row.split(',')[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`);
/** A row with its prices times 1.1, as a re-export in another currency would have them. */
const scaled = (row: string): string => row.split(',').map((cell, i) => (i >= 1 && i <= 4 ? (Number(cell) * 1.1).toFixed(1) : cell)).join(',');

interface Dir {
  readonly file: string;
  readonly dataDir: string;
  readonly logsDir: string;
}

function dir(): Dir {
  const root = tempDir('tradetrace-changed-rows-');
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  return { file: join(root, 'BTC_USD-1m.csv'), dataDir, logsDir: join(dataDir, 'logs') };
}

/** `rows` data rows of the month (with the header), each passed through `edit` with its 0-based index. */
function writeRows(path: string, rows: number, edit: (row: string, bar: number) => string = (row) => row): void {
  const [header = '', ...bars] = month();
  writeFileSync(path, `${[header, ...bars.slice(0, rows).map(edit)].join('\n')}\n`);
}

async function run({ file, dataDir, logsDir }: Dir, sessionId: string): Promise<PaperRunResult> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  try {
    const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [file] }, speed: 'max', signals: false, watchdog: false });
    return await session.run();
  } finally {
    recorder.close();
  }
}

/**
 * A session that read all 3000 rows and decided them, then the cursor a session killed after bar
 * `bar` would have left (saved under another session, whose log holds no later decision): the
 * restart resumes after `bar`, decided by FIRST, whose FEED_START logged how the file hashed.
 */
async function decidedUpTo(d: Dir, bar: number): Promise<void> {
  writeRows(d.file, 3000);
  const first = await run(d, FIRST);
  expect(first.reason, JSON.stringify(first)).toBe('data_end');
  const row = month()[bar + 1] ?? '';
  const close = openOf(row) + MINUTE;
  writeFileSync(join(d.dataDir, CURSOR_FILE), `${JSON.stringify({
    last_bar_close: close, session_id: KILLED, traded: [SYMBOL], symbols: { [SYMBOL]: close }, prices: { [SYMBOL]: row.split(',')[4] }, decided_by: { [SYMBOL]: FIRST },
  })}\n`);
}

async function decisionsOf(d: Dir, sessionId: string): Promise<number[]> {
  const logs = await readLogs(d.logsDir);
  expect(logs.bad).toEqual([]);
  return logs.lines.filter((l) => l.event_type === 'DECISION_START' && l.session_id === sessionId).map((l) => Date.parse(String(f(l, 'bar_ts'))));
}

describe.skipIf(!available)('a restart on a candle file whose rows before the resume point changed', () => {
  it('is refused (data_changed) when rows before the last decided bar changed, though that bar did not', async () => {
    const d = dir();
    await decidedUpTo(d, 2000);
    // Bars 100-1000 re-exported at 1.1 times the price; bar 2000, the last decided, as it was.
    writeRows(d.file, 3000, (row, bar) => (bar >= 100 && bar <= 1000 ? scaled(row) : row));
    const result = await run(d, RESTART);
    expect(result.error?.code, JSON.stringify(result)).toBe('data_changed');
    expect(result.error?.message).toContain(`are not those session ${FIRST} read`);
    expect(result.error?.message).toContain('start over in a new --data-dir');
    expect(await decisionsOf(d, RESTART)).toEqual([]);
  }, 120_000);

  it('is refused when a row just before the last decided bar was removed', async () => {
    const d = dir();
    await decidedUpTo(d, 2000);
    const [header = '', ...bars] = month();
    writeFileSync(d.file, `${[header, ...bars.slice(0, 3000).filter((_, bar) => bar !== 1999)].join('\n')}\n`);
    const result = await run(d, RESTART);
    expect(result.error?.code, JSON.stringify(result)).toBe('data_changed');
  }, 120_000);

  it('resumes on the same rows with more appended, deciding only the bars after the resume point', async () => {
    const d = dir();
    await decidedUpTo(d, 2000);
    writeRows(d.file, 3500);
    const result = await run(d, RESTART);
    expect(result.reason, JSON.stringify(result)).toBe('data_end');
    const decided = await decisionsOf(d, RESTART);
    expect(decided[0]).toBe(openOf(month()[2002] ?? ''));
    expect(decided).toHaveLength(3500 - 2001);
  }, 120_000);

  it('resumes when only rows well after the resume point changed (not decided yet)', async () => {
    const d = dir();
    await decidedUpTo(d, 1000);
    // Rows 2500 on: some 100 kB past bar 1000's row, beyond the prefix the check compares.
    writeRows(d.file, 3000, (row, bar) => (bar >= 2500 ? scaled(row) : row));
    const result = await run(d, RESTART);
    expect(result.reason, JSON.stringify(result)).toBe('data_end');
    expect(await decisionsOf(d, RESTART)).toHaveLength(3000 - 1001);
  }, 120_000);

  it('resumes after a session that logged no fingerprint, saying its rows were not compared', async () => {
    const d = dir();
    writeRows(d.file, 3000);
    const row = month()[2001] ?? '';
    const close = openOf(row) + MINUTE;
    // An older cursor: no decided_by, its session's log gone; only the last bar's close is known.
    writeFileSync(join(d.dataDir, CURSOR_FILE), `${JSON.stringify({ last_bar_close: close, session_id: KILLED, symbols: { [SYMBOL]: close }, prices: { [SYMBOL]: row.split(',')[4] } })}\n`);
    writeRows(d.file, 3000, (r, bar) => (bar >= 100 && bar <= 1000 ? scaled(r) : r));
    const result = await run(d, RESTART);
    expect(result.reason, JSON.stringify(result)).toBe('data_end');
    const logs = await readLogs(d.logsDir);
    const said = logs.lines.filter((l) => l.event_type === 'LOG' && String(f(l, 'message')).includes('rows before BTC/USD\'s resume point were not compared'));
    expect(said).toHaveLength(1);
    expect(said[0]?.level).toBe('warn');
  }, 120_000);
});
