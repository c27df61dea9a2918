import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';

describe('tradetrace paper with market_data.source=candles_file', () => {
  it('and no candles_file is refused before anything starts (it traded the synthetic market under a config saying candles_file)', async () => {
    const dataDir = join(tempDir('tt-empty-candles-'), 'data');
    const result = await runCli(['paper', '--data-dir', dataDir, '--set', 'market_data.source=candles_file', '--speed', 'max', '--duration', '2s']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'tradetrace paper: market_data.source is candles_file but market_data.candles_file is empty: give the file (--set market_data.candles_file=PATH or --data FILE) or set market_data.source=synthetic\nnothing started\n',
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it.runIf(sharedDataAvailable())('with --data supplying the file replays it', async () => {
    const dataDir = join(tempDir('tt-empty-candles-'), 'data');
    const result = await runCli(['paper', '--data-dir', dataDir, '--set', 'market_data.source=candles_file', '--data', ALTCOIN_JSON, '--symbol', 'BTC/USDT', '--speed', 'max', '--duration', '2s'], { timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/bars +[1-9]/);
  }, 120_000);
});
