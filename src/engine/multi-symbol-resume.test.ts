import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { isoTime } from '../market-data/bar.js';
import type { ReplaySpeed } from '../market-data/market-feed.js';
import { readLogs, type ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { withDecision } from '../recorder/trace-context.js';
import { PaperSession } from './paper-session.js';
import { CURSOR_FILE } from './replay-cursor.js';

const available = sharedDataAvailable();
const MINUTE = 60_000;
const BARS = 240;
const KILLED = 'session_20220101_000000';
const BTC = 'BTC/USD';
const ETH = 'ETH/USD';

/** The first BARS real BTC-PERP minutes, under two names, so one session trades two symbols on the same clock. */
function twoSymbols(dir: string): { files: string[]; opens: number[]; closes: string[] } {
  const rows = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, BARS + 1);
  const files = ['BTC_USD-1m.csv', 'ETH_USD-1m.csv'].map((name) => join(dir, name));
  for (const file of files) writeFileSync(file, `${rows.join('\n')}\n`);
  const opens = rows.slice(1).map((row) => Date.parse(`${(row.split(',')[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`));
  const closes = rows.slice(1).map((row) => row.split(',')[4] ?? '');
  return { files, opens, closes };
}

const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

interface Setup {
  readonly files: string[];
  readonly open: (bar: number) => number;
  /** The bar's close as the file has it: what the killed session's DECISION_START said. */
  readonly close: (bar: number) => string;
  readonly dataDir: string;
  readonly logsDir: string;
}

function setup(): Setup {
  const dir = tempDir('tradetrace-multi-resume-');
  const { files, opens, closes } = twoSymbols(dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  return { files, open: (bar) => opens[bar] ?? Number.NaN, close: (bar) => closes[bar] ?? '', dataDir, logsDir: join(dataDir, 'logs') };
}

/** The cursor a killed session saved (its last save, a second before the kill). */
function seedCursor(dataDir: string, symbols: Record<string, number>): void {
  const last = Math.max(...Object.values(symbols));
  writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ last_bar_close: last, session_id: KILLED, symbols })}\n`);
}

/**
 * The decision log of a session killed between two symbols of one bar time: line by line up to the
 * kill, from bar 101 on, BTC decided bar 150 and ETH was next (its last is bar 149).
 */
function writeKilledSession(logsDir: string, open: (bar: number) => number, close: (bar: number) => string): void {
  const killed = new Recorder({ sessionId: KILLED, sink: new FileSink(logsDir) });
  let n = 0;
  for (let bar = 101; bar <= 150; bar++) {
    for (const symbol of bar === 150 ? [BTC] : [BTC, ETH]) {
      withDecision(`dec_20211231_000000_${(n++).toString(16).padStart(6, '0')}`, () => {
        killed.emit('DECISION_START', { symbol, bar_ts: isoTime(open(bar)), price: Decimal.from(close(bar)), strategy: 'ema_rsi' });
        killed.emit('DECISION_END', { symbol, outcome: 'no_signal', duration_ms: 0.01 });
      });
    }
  }
  killed.close();
}

async function runSession(dataDir: string, logsDir: string, files: string[], sessionId: string, speed: ReplaySpeed): Promise<{ seconds: number; logs: ReadBack }> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files }, speed, signals: false, watchdog: false });
  const started = performance.now();
  const result = await session.run();
  const seconds = (performance.now() - started) / 1000;
  recorder.close();
  expect(result.reason, JSON.stringify(result)).toBe('data_end');
  const logs = await readLogs(logsDir);
  expect(logs.bad).toEqual([]);
  return { seconds, logs };
}

describe.skipIf(!available)('a replay of two symbols restarted after a kill that fell between them', () => {
  it("resumes each symbol after its own last decided bar: none decided twice, none skipped", async () => {
    const { files, open, close, dataDir, logsDir } = setup();
    writeKilledSession(logsDir, open, close);
    const cursorAt = open(100) + MINUTE;
    seedCursor(dataDir, { [BTC]: cursorAt, [ETH]: cursorAt });

    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const recorder = new Recorder({ sessionId: 'session_20220101_000100', sink: new FileSink(logsDir) });
    const session = await PaperSession.open({
      config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files }, speed: 'max', signals: false, watchdog: false,
    });
    // Before any bar: the cursor already holds the points the log refined, under the new session,
    // so a kill during the catch-up that follows loses nothing the killed session's log said.
    const atOpen = JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as { session_id: string; symbols: Record<string, number> };
    expect(atOpen).toMatchObject({ session_id: 'session_20220101_000100', symbols: { [BTC]: open(150) + MINUTE, [ETH]: open(149) + MINUTE } });
    const result = await session.run();
    recorder.close();
    expect(result.reason, JSON.stringify(result)).toBe('data_end');

    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    const decided = (sessionId: string, symbol: string): number[] =>
      logs.lines.filter((l) => l.event_type === 'DECISION_START' && l.session_id === sessionId && f(l, 'symbol') === symbol).map((l) => Date.parse(String(f(l, 'bar_ts'))));
    for (const [symbol, lastKilled] of [[BTC, 150], [ETH, 149]] as const) {
      const before = decided(KILLED, symbol);
      const after = decided('session_20220101_000100', symbol);
      expect(after[0], `${symbol}: the first bar decided after the restart`).toBe(open(lastKilled + 1));
      expect(after.at(-1)).toBe(open(BARS - 1));
      const all = [...before, ...after];
      expect(new Set(all).size, `${symbol}: no bar decided twice`).toBe(all.length);
      expect(after).toHaveLength(BARS - 1 - lastKilled);
    }
    const cursor = JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as { symbols: Record<string, number> };
    expect(cursor.symbols).toEqual({ [BTC]: open(BARS - 1) + MINUTE, [ETH]: open(BARS - 1) + MINUTE });
  }, 120_000);

  it('goes through the bars decided before at full speed: a paced restart reaches its first new bar at once', async () => {
    const { files, open, dataDir, logsDir } = setup();
    const decidedUntil = open(BARS - 6) + MINUTE;
    seedCursor(dataDir, { [BTC]: decidedUntil, [ETH]: decidedUntil });
    // 600x: a bar every 100 ms. The 234 bars decided before would take 23 s paced; the 5 new ones take half a second.
    const { seconds, logs } = await runSession(dataDir, logsDir, files, 'session_20220101_000200', 600);
    const firstDecided = logs.lines.find((l) => l.event_type === 'DECISION_START');
    expect(firstDecided && Date.parse(String(f(firstDecided, 'bar_ts')))).toBe(open(BARS - 5));
    expect(logs.lines.filter((l) => l.event_type === 'DECISION_START')).toHaveLength(2 * 5);
    expect(seconds, 'wall seconds for the whole session (23 s if the decided bars were paced)').toBeLessThan(10);
  }, 120_000);

  it('fast-forwards only what every symbol decided: from there on every bar is paced, the one ahead warms up in step', async () => {
    const { files, open, dataDir, logsDir } = setup();
    // BTC decided up to bar 234, ETH only to bar 230: bars 231-239 are paced (8 intervals at 100 ms).
    seedCursor(dataDir, { [BTC]: open(234) + MINUTE, [ETH]: open(230) + MINUTE });
    const { seconds, logs } = await runSession(dataDir, logsDir, files, 'session_20220101_000300', 600);
    const firstOf = (symbol: string): number => Date.parse(String(f(logs.lines.find((l) => l.event_type === 'DECISION_START' && f(l, 'symbol') === symbol) ?? logs.lines[0]!, 'bar_ts')));
    expect([firstOf(BTC), firstOf(ETH)]).toEqual([open(235), open(231)]);
    expect(logs.lines.filter((l) => l.event_type === 'DECISION_START')).toHaveLength(5 + 9);
    // Fast-forwarding BTC's bars 231-234 moved the clock, and ETH's bars of those minutes went unpaced.
    expect(seconds, 'wall seconds: 8 paced intervals of 100 ms').toBeGreaterThanOrEqual(0.7);
  }, 120_000);

  it('starts a symbol the data directory never decided at the portfolio\'s clock, not at its first bar', async () => {
    const { files, open, dataDir, logsDir } = setup();
    seedCursor(dataDir, { [BTC]: open(200) + MINUTE });
    const { logs } = await runSession(dataDir, logsDir, files, 'session_20220101_000400', 'max');
    // Deciding ETH's bars 0-200 now would judge them against positions and balances from their future.
    const eth = logs.lines.filter((l) => l.event_type === 'DECISION_START' && f(l, 'symbol') === ETH).map((l) => Date.parse(String(f(l, 'bar_ts'))));
    expect(eth[0]).toBe(open(201));
    expect(eth).toHaveLength(BARS - 201);
  }, 120_000);

  it('keeps a symbol left out of a session where the killed session\'s log put it, for the session after', async () => {
    const { files, open, close, dataDir, logsDir } = setup();
    writeKilledSession(logsDir, open, close);
    const cursorAt = open(100) + MINUTE;
    seedCursor(dataDir, { [BTC]: cursorAt, [ETH]: cursorAt });
    // BTC alone this time.
    await runSession(dataDir, logsDir, [files[0] ?? ''], 'session_20220101_000500', 'max');
    const cursor = JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as { session_id: string; symbols: Record<string, number> };
    // ETH is where the killed session's log left it, now under the session whose log the next one reads.
    expect(cursor).toMatchObject({ session_id: 'session_20220101_000500', symbols: { [BTC]: open(BARS - 1) + MINUTE, [ETH]: open(149) + MINUTE } });
  }, 120_000);

  it('starts a symbol back after a session without it at the clock, not at its old point', async () => {
    const { files, open, dataDir, logsDir } = setup();
    // The last session traded BTC alone, up to bar 200; ETH stopped at bar 50 in an earlier one.
    writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ session_id: KILLED, traded: [BTC], symbols: { [BTC]: open(200) + MINUTE, [ETH]: open(50) + MINUTE } })}\n`);
    const { logs } = await runSession(dataDir, logsDir, files, 'session_20220101_000600', 'max');
    const eth = logs.lines.filter((l) => l.event_type === 'DECISION_START' && f(l, 'symbol') === ETH).map((l) => Date.parse(String(f(l, 'bar_ts'))));
    expect(eth[0]).toBe(open(201));
  }, 120_000);
});
