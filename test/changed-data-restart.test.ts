import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLogs } from '../src/recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../src/recorder/events/catalog.js';
import { runCli } from './support/cli.js';
import { BTC_PERP_CSV, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

const available = sharedDataAvailable();
/** Bars of the first session: it ends holding the position it bought at 23:34. */
const FIRST = 100;

const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The real month's rows, every price halved exactly (as another market, or a bad re-export, would have them). */
function halved(rows: readonly string[]): string[] {
  const half = (text: string): string => {
    const [whole = '0', fraction = ''] = text.split('.');
    const digits = BigInt(`${whole}${fraction}`) * 5n;
    const scale = fraction.length + 1;
    const padded = digits.toString().padStart(scale + 1, '0');
    return `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  };
  return rows.map((row, i) => (i === 0 ? row : row.split(',').map((cell, column) => (column >= 1 && column <= 4 ? half(cell) : cell)).join(',')));
}

describe.skipIf(!available)('a restart on a candle file replaced at the same path (real BTC-PERP candles, copied to a temp dir)', () => {
  it('is refused before any decision and says why (stderr, SESSION_END, health, sessions); unchanged, or put back, the file resumes after the last decided bar', async () => {
    const rows = readFileSync(BTC_PERP_CSV, 'utf8').trimEnd().split('\n');
    const dir = tempDir('tradetrace-changed-data-');
    const file = join(dir, 'BTC_USD-1m.csv');
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    const write = (lines: readonly string[]): void => writeFileSync(file, `${lines.join('\n')}\n`);
    const cli = (args: readonly string[]) => runCli([...args, '--data-dir', dataDir], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 });
    const paper = () => cli(['paper', '--data', file, '--speed', 'max', '--set', 'trading.quote_currency=USD']);
    const sessions: string[] = [];
    const run = async (expectedCode: number) => {
      const result = await paper();
      expect(result.code, result.stderr).toBe(expectedCode);
      const logs = await readLogs(logsDir);
      expect(logs.bad).toEqual([]);
      const id = logs.lines.filter((l) => l.event_type === 'SESSION_START').map((l) => l.session_id).find((s) => !sessions.includes(s)) ?? '';
      sessions.push(id);
      return { result, id, lines: logs.lines.filter((l) => l.session_id === id) };
    };
    const ofType = (lines: readonly AnyEventLine[], type: string) => lines.filter((l) => l.event_type === type);

    // The first session stops with a position open, on the file's first 100 bars.
    write(rows.slice(0, FIRST + 1));
    const first = await run(0);
    expect(ofType(first.lines, 'BUY_FILLED')).toHaveLength(1);
    expect(ofType(first.lines, 'SELL_FILLED')).toHaveLength(0);
    const bought = ofType(first.lines, 'BUY_FILLED')[0]?.decision_id;
    const lastRow = (rows[FIRST] ?? '').split(',');
    const lastOpen = `${(lastRow[0] ?? '').replace(' ', 'T').slice(0, 23)}Z`;
    expect(ofType(first.lines, 'FEED_START')[0]).toMatchObject({ sources: [file], fingerprints: [{ source: file, bytes: readFileSync(file).length, sha256: sha256(file) }] });

    // Restarted on the very same file: nothing is left to decide, and nothing is refused.
    const same = await run(0);
    expect(ofType(same.lines, 'DECISION_START')).toHaveLength(0);
    expect(ofType(same.lines, 'SESSION_END')[0]).toMatchObject({ reason: 'data_end' });

    // The file is replaced by other prices at the same path: the restart is refused before any
    // decision, naming the session that decided the bar (not the one above, which only carried it).
    write(halved(rows));
    const changed = await run(2);
    const recorded = String(Number(lastRow[4]));
    const message =
      `${file} is not the data ${dataDir} traded BTC/USD on: its bar of ${new Date(lastOpen).toISOString()} (the last one decided there) closed at ${recorded} when session ${first.id} decided on it, ` +
      `and the file now says ${Number(recorded) / 2} (the file now: ${readFileSync(file).length} bytes, sha256 ${sha256(file)}). Nothing was decided on it. ` +
      `Put the original file back at ${file} and restart (rows appended after its end are fine), or start over in a new --data-dir: the positions and PnL in ${dataDir} belong to the old data`;
    expect(changed.result.stderr).toContain(`tradetrace paper: ${message}\n`);
    for (const type of ['DECISION_START', 'ORDER_CONTEXT', 'BUY_FILLED', 'SELL_FILLED', 'EXIT_TRIGGERED', 'FEED_START']) expect(ofType(changed.lines, type), type).toHaveLength(0);
    expect(ofType(changed.lines, 'FEED_END')[0]).toMatchObject({ reason: 'error', error_code: 'data_changed', bars: 0 });
    expect(ofType(changed.lines, 'SESSION_END')[0]).toMatchObject({ reason: 'refused', exit_code: 2, error_code: 'data_changed', message });

    const health = await cli(['health']);
    expect(health.stdout).toContain(`a later session was refused before trading: ${changed.id}: data_changed: ${message} (tradetrace health --session ${changed.id}`);
    const listed = await cli(['sessions', '--session', changed.id]);
    expect(listed.stdout).toMatch(/exit: refused \(exit 2\)/);

    // Put back (here: the original export, grown by 200 bars): it resumes after the last decided bar,
    // still holding the first session's position, and its FEED_START tells the file apart.
    write(rows.slice(0, FIRST + 201));
    const back = await run(0);
    const decided = ofType(back.lines, 'DECISION_START').map((l) => f(l, 'bar_ts'));
    expect(decided[0]).toBe(new Date(Date.parse(lastOpen) + 60_000).toISOString());
    expect(decided).toHaveLength(200);
    const positions = f(ofType(back.lines, 'STATE_RECOVERED')[0], 'positions') as { decision_id: string }[];
    expect(positions.map((p) => p.decision_id)).toEqual([bought]);
    const fingerprint = (lines: readonly AnyEventLine[]) => (f(ofType(lines, 'FEED_START')[0], 'fingerprints') as { sha256: string }[])[0]?.sha256;
    expect(fingerprint(back.lines)).toBe(sha256(file));
    expect(fingerprint(back.lines)).not.toBe(fingerprint(first.lines));
  }, 180_000);
});
