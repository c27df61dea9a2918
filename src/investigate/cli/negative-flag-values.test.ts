import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeNoTrades } from '../testing/incidents.js';

// parseArgs reads `--since -5m` as --since missing its value ("argument is ambiguous"): the flag's
// own check must get the value and say what it expects.
describe('a query flag given a negative value', () => {
  const dataDir = tempDir('tt-negative-flags-');
  writeNoTrades(dataDir);

  it.each([
    [['why', '--since', '-5m'], /--since "-5m": expected /],
    [['orders', '--until', '-1h'], /--until "-1h": expected /],
    [['orders', '--limit', '-1'], /--limit.*-1/],
  ])('%j reaches the flag own check', async (args, expected) => {
    const r = await runQuery([...args, '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/ambiguous/);
  });

  it('a flag that takes no value is not given the number, and arguments after -- stay as they are', async () => {
    const r = await runQuery(['why', '--json', '-5', '--data-dir', dataDir]);
    expect(r.stderr).toMatch(/Unknown option '-5'/);
  });
});
