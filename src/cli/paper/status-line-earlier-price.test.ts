import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';

const available = sharedDataAvailable();

/** The real BTC-PERP minutes `from`..`to` (1-based rows of the file) as `name` in `dir`. */
function rows(dir: string, name: string, from: number, to: number): string {
  const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
  const file = join(dir, name);
  writeFileSync(file, `${[lines[0], ...lines.slice(from, to + 1)].join('\n')}\n`);
  return file;
}

/** The unrealized PnL of the last plain status line a paper run printed. */
function lastUnrealized(stdout: string): string | undefined {
  return [...stdout.matchAll(/ unrealized=(\S+) /g)].at(-1)?.[1];
}

describe.skipIf(!available)('the status line of a session holding positions that get no bar in it', () => {
  it('counts them at the last close an earlier session decided, as the summary does, not as +0.00', async () => {
    const dir = tempDir('tradetrace-status-earlier-');
    const dataDir = join(dir, 'data');
    const common = ['--set', 'trading.quote_currency=USD', '--set', 'trading.max_open_positions=2', '--speed', 'max', '--data-dir', dataDir];
    // Session 1 ends holding BTC/USD and ETH/USD (bought at 23:34, sold only at 05:24).
    const first = await runCli(['paper', '--data', rows(dir, 'BTC_USD-1m.csv', 1, 383), '--data', rows(dir, 'ETH_USD-1m.csv', 1, 383), ...common], { timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    const held = lastUnrealized(first.stdout);
    expect(held, first.stdout).toMatch(/^[+-]\d+\.\d\d$/);
    expect(held).not.toBe('+0.00');
    // Session 2 trades only SOL/USD and buys nothing: the two positions stay, with no bar.
    const second = await runCli(['paper', '--data', rows(dir, 'SOL_USD-1m.csv', 1, 30), ...common], { timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(lastUnrealized(second.stdout), second.stdout).toBe(held);
  }, 120_000);
});
