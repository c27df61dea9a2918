import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, btcPerpSlice, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { replayAndSummarize } from './__fixtures__/summarized-replay.js';

const available = sharedDataAvailable();
const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

/** The first 40 real BTC-PERP minutes (23:01..23:40) at half the price: a symbol whose file ends early. */
function shortFile(dir: string): string {
  const rows = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
  const half = (row: string): string => {
    const cells = row.split(',');
    return [cells[0], ...cells.slice(1, 5).map((cell) => (Number(cell) * 0.5).toFixed(2)), cells[5]].join(',');
  };
  const file = join(dir, 'SHORT_USD-1m.csv');
  writeFileSync(file, `${[rows[0], ...rows.slice(1, 41).map(half)].join('\n')}\n`);
  return file;
}

describe.skipIf(!available)('a symbol whose bars end while it holds a position', () => {
  it('is said to have no exit running on it: a warning as its bars stop, in the max_open_positions refusals, and in the summary', async () => {
    const dir = tempDir('tradetrace-ended-feed-');
    const files = [shortFile(dir), btcPerpSlice(dir, 'BTC_USD-1m.csv', 400)];
    const run = await replayAndSummarize(join(dir, 'data'), files, ['SHORT/USD', 'BTC/USD'], ['trading.quote_currency=USD', 'trading.max_open_positions=1'], 'session_20260105_000000');
    expect(run.logs.bad).toEqual([]);
    const lines = run.logs.lines;
    const bought = lines.find((l) => l.event_type === 'BUY_FILLED' && f(l, 'symbol') === 'SHORT/USD');
    expect(bought).toBeDefined();
    const decisionId = f(bought as AnyEventLine, 'decision_id');
    expect(lines.some((l) => l.event_type === 'SELL_FILLED')).toBe(false);

    // The moment its bars stop (the file's last bar opens 23:40), in the position's own decision: `trace` shows it.
    const warned = lines.filter((l) => l.event_type === 'LOG' && l.level === 'warn' && (f(l, 'data') as Record<string, unknown> | undefined)?.['feed_ended'] === true);
    expect(warned).toHaveLength(1);
    const warning = warned[0] as AnyEventLine;
    expect(f(warning, 'decision_id')).toBe(decisionId);
    expect(f(warning, 'message')).toContain('SHORT/USD');
    expect(f(warning, 'message')).toContain(String(decisionId));
    expect(f(warning, 'message')).toContain('its bars ended at 2021-12-31T23:40Z');
    expect(f(warning, 'message')).toContain('no exit rule can run on it until its data resumes');
    expect(f(warning, 'data')).toMatchObject({ symbol: 'SHORT/USD', last_bar_ts: '2021-12-31T23:40:00.000Z', decision_id: decisionId });

    // BTC's refusals name why the one slot stays taken.
    const refusals = lines.filter((l) => l.event_type === 'BUY_BLOCKED' && f(l, 'guard') === 'max_open_positions');
    expect(refusals.length).toBeGreaterThan(300);
    expect(f(refusals.at(-1) as AnyEventLine, 'message')).toBe('1 position open (SHORT/USD: its bars ended at 2021-12-31T23:40Z, no exit runs on it), the maximum is 1');

    // The summary marks the position, as it marks one in a symbol not traded.
    const positions = run.summary.record['open_positions'] as Record<string, unknown>[];
    expect(positions).toEqual([expect.objectContaining({ symbol: 'SHORT/USD', bars_ended: '2021-12-31T23:40:00.000Z' })]);
    expect(run.text).toMatch(/positions {4}SHORT\/USD \S+ @ \S+ \(dec_\w+\), its bars ended at 2021-12-31T23:40Z: no exit rule ran on it after that\n/);
  });
});
