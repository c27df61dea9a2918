import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
function twoSymbols(dir: string): { files: string[]; opens: number[] } {
  const rows = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, BARS + 1);
  const files = ['BTC_USD-1m.csv', 'ETH_USD-1m.csv'].map((name) => join(dir, name));
  for (const file of files) writeFileSync(file, `${rows.join('\n')}\n`);
  const opens = rows.slice(1).map((row) => Date.parse(`${(row.split(',')[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`));
  return { files, opens };
}

const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

describe.skipIf(!available)('a replay of two symbols restarted after a kill that fell between them', () => {
  it("resumes each symbol after its own last decided bar: none decided twice, none skipped", async () => {
    const dir = tempDir('tradetrace-multi-resume-');
    const { files, opens } = twoSymbols(dir);
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    const open = (i: number): number => opens[i] ?? Number.NaN;

    // What the killed session left: its cursor, saved a second before the kill (both symbols at bar
    // 100), and its decision log, written line by line up to the kill: BTC decided bar 150, ETH was
    // next (its last is bar 149).
    const killed = new Recorder({ sessionId: KILLED, sink: new FileSink(logsDir) });
    let n = 0;
    for (let bar = 101; bar <= 150; bar++) {
      for (const symbol of bar === 150 ? [BTC] : [BTC, ETH]) {
        withDecision(`dec_20211231_000000_${(n++).toString(16).padStart(6, '0')}`, () => {
          killed.emit('DECISION_START', { symbol, bar_ts: isoTime(open(bar)), price: Decimal.from('46000'), strategy: 'ema_rsi' });
          killed.emit('DECISION_END', { symbol, outcome: 'no_signal', duration_ms: 0.01 });
        });
      }
    }
    killed.close();
    const cursorAt = open(100) + MINUTE;
    writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ last_bar_close: cursorAt, session_id: KILLED, symbols: { [BTC]: cursorAt, [ETH]: cursorAt } })}\n`);

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
    const dir = tempDir('tradetrace-multi-resume-');
    const { files, opens } = twoSymbols(dir);
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    const decidedUntil = (opens[BARS - 6] ?? Number.NaN) + MINUTE;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ last_bar_close: decidedUntil, session_id: KILLED, symbols: { [BTC]: decidedUntil, [ETH]: decidedUntil } })}\n`);
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const recorder = new Recorder({ sessionId: 'session_20220101_000200', sink: new FileSink(logsDir) });
    // 600x: a bar every 100 ms. The 234 bars decided before would take 23 s paced; the 5 new ones take half a second.
    const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files }, speed: 600, signals: false, watchdog: false });
    const started = performance.now();
    const result = await session.run();
    const seconds = (performance.now() - started) / 1000;
    recorder.close();
    expect(result.reason, JSON.stringify(result)).toBe('data_end');
    const logs = await readLogs(logsDir);
    const firstDecided = logs.lines.find((l) => l.event_type === 'DECISION_START');
    expect(firstDecided && Date.parse(String(f(firstDecided, 'bar_ts')))).toBe(opens[BARS - 5]);
    expect(logs.lines.filter((l) => l.event_type === 'DECISION_START')).toHaveLength(2 * 5);
    expect(seconds, 'wall seconds for the whole session (23 s if the decided bars were paced)').toBeLessThan(10);
  }, 120_000);
});
