import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../src/domain/decimal.js';
import { readLogs } from '../src/recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../src/recorder/events/catalog.js';
import { runCli } from './support/cli.js';
import { BTC_PERP_CSV, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

const available = sharedDataAvailable();
const FIVE_MINUTES = 300_000;
const HOUR = 3_600_000;
/** 5-minute bars of the first session; the restart gets this many more. */
const FIRST = 1500;
const MORE = 200;

const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];
const ofType = (lines: readonly AnyEventLine[], type: string): AnyEventLine[] => lines.filter((l) => l.event_type === type);
const openOf = (row: string): number => Date.parse(`${(row.split(',')[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`);

/**
 * The real BTC-PERP minutes as 5-minute bars: per 5-minute window, the open of its first minute,
 * the highest high, the lowest low, the close of its last minute and the summed volume (exact
 * decimals, as the file writes them).
 */
function fiveMinuteRows(minuteRows: readonly string[]): string[] {
  const out: string[] = [];
  let window = Number.NaN;
  let bar: { open: string; high: Decimal; low: Decimal; close: string; volume: Decimal } | undefined;
  const flush = (): void => {
    if (bar === undefined) return;
    const stamp = new Date(window).toISOString().replace('T', ' ').replace('Z', '000');
    out.push(`${stamp},${bar.open},${bar.high.toString()},${bar.low.toString()},${bar.close},${bar.volume.toString()}`);
  };
  for (const row of minuteRows) {
    const [, open = '', high = '', low = '', close = '', volume = ''] = row.split(',');
    const start = Math.floor(openOf(row) / FIVE_MINUTES) * FIVE_MINUTES;
    if (start !== window) {
      flush();
      window = start;
      bar = { open, high: Decimal.parse(high), low: Decimal.parse(low), close, volume: Decimal.parse(volume) };
      continue;
    }
    if (bar === undefined) continue;
    bar = { open: bar.open, high: Decimal.max(bar.high, Decimal.parse(high)), low: Decimal.min(bar.low, Decimal.parse(low)), close, volume: bar.volume.add(Decimal.parse(volume)) };
  }
  flush();
  return out;
}

describe.skipIf(!available)('market_data.timeframe is the bar length the session trades on (real BTC-PERP candles, aggregated to 5 minutes in a temp dir)', () => {
  const [header = '', ...minutes] = readFileSync(BTC_PERP_CSV, 'utf8').trimEnd().split('\n');
  const dir = tempDir('tradetrace-timeframe-');
  const cli = (dataDir: string, args: readonly string[]) => runCli([...args, '--data-dir', dataDir], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 90_000 });
  const sessionLines = async (dataDir: string, known: readonly string[]) => {
    const logs = await readLogs(join(dataDir, 'logs'));
    expect(logs.bad).toEqual([]);
    const id = logs.lines.filter((l) => l.event_type === 'SESSION_START').map((l) => l.session_id).find((s) => !known.includes(s)) ?? '';
    return { id, lines: logs.lines.filter((l) => l.session_id === id) };
  };

  it('a 5m replay decides 5-minute bars (FEED_START interval_s 300, every bar_ts on the 5-minute grid), and a restart resumes after its last decided 5m bar', async () => {
    const rows = fiveMinuteRows(minutes);
    const file = join(dir, 'BTC_USD-5m.csv');
    const dataDir = join(dir, 'replay-5m');
    const write = (count: number): void => writeFileSync(file, `${[header, ...rows.slice(0, count)].join('\n')}\n`);
    const paper = () => cli(dataDir, ['paper', '--data', file, '--speed', 'max', '--set', 'trading.quote_currency=USD', '--set', 'market_data.timeframe=5m']);

    write(FIRST);
    const first = await paper();
    expect(first.code, first.stderr).toBe(0);
    const one = await sessionLines(dataDir, []);
    expect(f(ofType(one.lines, 'FEED_START')[0], 'interval_s')).toBe(300);
    const decided = ofType(one.lines, 'DECISION_START').map((l) => Date.parse(String(f(l, 'bar_ts'))));
    expect(decided).toHaveLength(FIRST);
    expect(decided.filter((t) => t % FIVE_MINUTES !== 0)).toEqual([]);
    expect(decided.slice(0, 3).map((t) => new Date(t).toISOString())).toEqual(['2021-12-31T23:00:00.000Z', '2021-12-31T23:05:00.000Z', '2021-12-31T23:10:00.000Z']);
    // It traded on them, not only looked.
    expect(ofType(one.lines, 'BUY_FILLED').length).toBeGreaterThan(0);
    const lastDecided = decided.at(-1) ?? Number.NaN;
    expect(lastDecided).toBe(openOf(rows[FIRST - 1] ?? ''));

    // The same directory, the file grown by MORE bars: it goes on with the next 5-minute bar.
    write(FIRST + MORE);
    const second = await paper();
    expect(second.code, second.stderr).toBe(0);
    const two = await sessionLines(dataDir, [one.id]);
    const resumed = ofType(two.lines, 'DECISION_START').map((l) => Date.parse(String(f(l, 'bar_ts'))));
    expect(resumed).toHaveLength(MORE);
    expect(resumed[0]).toBe(lastDecided + FIVE_MINUTES);
    expect(resumed.filter((t) => t % FIVE_MINUTES !== 0)).toEqual([]);

    // The same directory at the default 1m: refused before anything is decided, not mixed.
    const other = await cli(dataDir, ['paper', '--data', file, '--speed', 'max', '--set', 'trading.quote_currency=USD']);
    const three = await sessionLines(dataDir, [one.id, two.id]);
    const message =
      `${dataDir} was traded on 5m bars (${join(dataDir, 'paper-cursor.json')} says so, by session ${two.id}), and market_data.timeframe is now 1m: resuming would mix bars of the two lengths. Nothing was decided. ` +
      `Set market_data.timeframe=5m (--set market_data.timeframe=5m) to go on in ${dataDir}, or start over in a new --data-dir for 1m bars`;
    expect(other.stderr).toContain(`tradetrace paper: ${message}\n`);
    // Bad input, the operator's to fix, like a changed candle file: exit 2.
    expect(other.code, other.stderr).toBe(2);
    expect(ofType(three.lines, 'DECISION_START')).toHaveLength(0);
    expect(ofType(three.lines, 'SESSION_END')[0]).toMatchObject({ reason: 'refused', error_code: 'timeframe_changed', message });
  }, 240_000);

  it('a file whose bars are not the timeframe\'s is refused before any decision, naming the file, its bar length and the setting (exit 2)', async () => {
    const minuteFile = join(dir, 'BTC_USD-1m.csv');
    writeFileSync(minuteFile, `${[header, ...minutes.slice(0, 300)].join('\n')}\n`);
    const dataDir = join(dir, 'refused');
    const refused = await cli(dataDir, ['paper', '--data', minuteFile, '--speed', 'max', '--set', 'trading.quote_currency=USD', '--set', 'market_data.timeframe=5m']);
    expect(refused.code, refused.stderr).toBe(2);
    const message =
      `${minuteFile}: its bars are 1 minute apart (first two: 2021-12-31T23:01Z, 23:02Z), but market_data.timeframe is 5m: the bot trades bars of that length and does not resample. ` +
      `Nothing was decided on it. To trade this file, set market_data.timeframe=1m (--set market_data.timeframe=1m) to trade its 1m bars, or give a file of 5m bars`;
    expect(refused.stderr).toContain(`tradetrace paper: ${message}\n`);
    const one = await sessionLines(dataDir, []);
    for (const type of ['DECISION_START', 'BUY_FILLED', 'FEED_START']) expect(ofType(one.lines, type), type).toHaveLength(0);
    expect(ofType(one.lines, 'FEED_END')[0]).toMatchObject({ reason: 'error', error_code: 'wrong_timeframe', bars: 0 });
    expect(ofType(one.lines, 'SESSION_END')[0]).toMatchObject({ reason: 'refused', exit_code: 2, error_code: 'wrong_timeframe', message });
    const health = await cli(dataDir, ['health']);
    expect(health.stdout).toContain(`wrong_timeframe: ${message}`);
    const listed = await cli(dataDir, ['sessions']);
    expect(listed.stdout).toMatch(/exit: refused \(exit 2\)/);

    // 5-minute bars at the default 1m are refused too: read as minutes, every bar would follow a hole.
    const fiveFile = join(dir, 'BTC_USD_5m.csv');
    writeFileSync(fiveFile, `${[header, ...fiveMinuteRows(minutes.slice(0, 600))].join('\n')}\n`);
    const coarse = await cli(join(dir, 'refused-5m'), ['paper', '--data', fiveFile, '--speed', 'max', '--set', 'trading.quote_currency=USD']);
    expect(coarse.code, coarse.stderr).toBe(2);
    expect(coarse.stderr).toContain(
      `tradetrace paper: ${fiveFile}: its bars are 5 minutes apart (first two: 2021-12-31T23:00Z, 23:05Z), but market_data.timeframe is 1m: the bot trades bars of that length and does not resample. ` +
        `Nothing was decided on it. To trade this file, set market_data.timeframe=5m (--set market_data.timeframe=5m) to trade its 5m bars, or give a file of 1m bars\n`,
    );
  }, 180_000);
});

describe('a synthetic session at market_data.timeframe=1h', () => {
  it('decides bars 1 hour apart, on the hour', async () => {
    const dataDir = join(tempDir('tradetrace-timeframe-synthetic-'), 'data');
    const result = await runCli(['paper', '--synthetic', 'BTC/USDT', '--set', 'market_data.timeframe=1h', '--speed', 'max', '--duration', '2s', '--data-dir', dataDir], {
      env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const logs = await readLogs(join(dataDir, 'logs'));
    expect(f(ofType(logs.lines, 'FEED_START')[0], 'interval_s')).toBe(3600);
    const decided = ofType(logs.lines, 'DECISION_START').map((l) => Date.parse(String(f(l, 'bar_ts'))));
    expect(decided.length).toBeGreaterThan(100);
    expect(decided.filter((t) => t % HOUR !== 0)).toEqual([]);
    const steps = decided.slice(1).map((t, i) => t - (decided[i] ?? 0));
    // Its holes (DATA_GAP) skip whole hours; every other step is one hour.
    expect(steps.filter((step) => step % HOUR !== 0 || step <= 0)).toEqual([]);
    expect(steps.filter((step) => step === HOUR).length).toBeGreaterThan(steps.length * 0.9);
    const gaps = ofType(logs.lines, 'DATA_GAP');
    expect(gaps.every((g) => f(g, 'interval_s') === 3600)).toBe(true);
  }, 90_000);
});
