import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { replayAndSummarize, type SummarizedRun } from './__fixtures__/summarized-replay.js';
import { CURSOR_FILE } from './replay-cursor.js';

const available = sharedDataAvailable();
const SETS = ['trading.quote_currency=USD', 'trading.max_open_positions=2'];

/** The real BTC-PERP minutes `from`..`to` (1-based rows of the file) as `name` in `dir`. */
function rows(dir: string, name: string, from: number, to: number): string {
  const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
  const file = join(dir, name);
  writeFileSync(file, `${[lines[0], ...lines.slice(from, to + 1)].join('\n')}\n`);
  return file;
}

/**
 * Session 1 replays 23:01..05:23 as BTC/USD and ETH/USD and ends holding both (the 23:34 buys,
 * whose take profit fires at 05:24); session 2 on the same data directory trades only SOL/USD (the
 * first 30 minutes, where nothing is bought), so the two positions get no bar in it.
 */
async function twoSessions(dir: string, beforeSecond: (dataDir: string) => void = () => {}): Promise<{ first: SummarizedRun; second: SummarizedRun }> {
  const dataDir = join(dir, 'data');
  const first = await replayAndSummarize(dataDir, [rows(dir, 'BTC_USD-1m.csv', 1, 383), rows(dir, 'ETH_USD-1m.csv', 1, 383)], ['BTC/USD', 'ETH/USD'], SETS, 'session_20260105_000000');
  beforeSecond(dataDir);
  const second = await replayAndSummarize(dataDir, [rows(dir, 'SOL_USD-1m.csv', 1, 30)], ['SOL/USD'], SETS, 'session_20260105_010000');
  return { first, second };
}

const pnlLine = (text: string): string => /\n {2}PnL {10}(.*)\n/.exec(text)?.[1] ?? '';

describe.skipIf(!available)('unrealized PnL of positions that get no bar this session', () => {
  it('is counted at the last close an earlier session decided (paper-cursor.json), said as such, not as +0', async () => {
    const { first, second } = await twoSessions(tempDir('tradetrace-unrealized-earlier-'));
    const held = (first.summary.record['open_positions'] as { symbol: string }[]).map((p) => p.symbol);
    expect(held).toEqual(['BTC/USD', 'ETH/USD']);
    expect(first.summary.unrealized.isZero()).toBe(false);
    expect(first.summary.record['unrealized_earlier_prices']).toBeUndefined();

    expect((second.summary.record['open_positions'] as { symbol: string }[]).map((p) => p.symbol)).toEqual(['BTC/USD', 'ETH/USD']);
    expect(second.summary.record['unrealized_pnl']).toBe(first.summary.record['unrealized_pnl']);
    expect(second.summary.unrealized.eq(first.summary.unrealized)).toBe(true);
    // The last bar session 1 decided: 05:23, closing 05:24.
    const lastClose = readFileSync(BTC_PERP_CSV, 'utf8').split('\n')[383]?.split(',')[4] ?? '';
    const price = Decimal.parse(lastClose).toString();
    expect(second.summary.record['unrealized_earlier_prices']).toEqual({
      'BTC/USD': { price, bar_close: '2022-01-01T05:24:00.000Z' },
      'ETH/USD': { price, bar_close: '2022-01-01T05:24:00.000Z' },
    });
    expect(second.summary.record['unrealized_unknown']).toBeUndefined();
    expect(pnlLine(second.text)).toContain(
      `unrealized ${first.summary.unrealized.isNegative() ? '' : '+'}${first.summary.unrealized.toString()} (at the last price, after the exit fee; BTC/USD at ${price}, ETH/USD at ${price}, the last closes known before this session (bar closing 2022-01-01T05:24Z): no bar of them this session)`,
    );
  });

  it('is said to be unknown for positions no price is known of, not summed as 0', async () => {
    const { second } = await twoSessions(tempDir('tradetrace-unrealized-unknown-'), (dataDir) => rmSync(join(dataDir, CURSOR_FILE)));
    expect(second.summary.record['unrealized_unknown']).toEqual(['BTC/USD', 'ETH/USD']);
    expect(second.summary.record['unrealized_earlier_prices']).toBeUndefined();
    expect(pnlLine(second.text)).toContain('unrealized unknown for 2 positions no USD price is known of (BTC/USD, ETH/USD), fees paid');
    expect(pnlLine(second.text)).not.toContain('unrealized +0');
  });
});
