import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runCli } from './support/cli.js';
import { ALTCOIN_JSON, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

const available = sharedDataAvailable();
const REPLAY = ['--set', 'trading.quote_currency=BTC', '--speed', 'max'];

function configDiffs(dataDir: string): unknown[] {
  return readFileSync(join(dataDir, 'logs/audit.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"event_type":"CONFIG_DIFF"'))
    .map((line) => JSON.parse(line) as unknown);
}

// The replayed file is part of the recorded config: named by a relative path, the same file run
// from another folder was reported as config drift (and fired the drift alert).
describe.skipIf(!available)('paper --data records the candle file by its absolute path (real altcoin candles)', () => {
  it('the same file named from two folders is the same config: no CONFIG_DIFF, and drift finds no change', async () => {
    const dataDir = join(tempDir('tradetrace-replay-path-'), 'data');
    const fromDataFolder = await runCli(['paper', '--data', 'UNITTEST_BTC-1m.json', ...REPLAY, '--data-dir', dataDir], { cwd: dirname(ALTCOIN_JSON), timeoutMs: 60_000 });
    expect(fromDataFolder.code, fromDataFolder.stderr).toBe(0);
    const fromProject = await runCli(['paper', '--data', relative(PROJECT_ROOT, ALTCOIN_JSON), ...REPLAY, '--data-dir', dataDir], { timeoutMs: 60_000 });
    expect(fromProject.code, fromProject.stderr).toBe(0);
    expect(configDiffs(dataDir)).toEqual([]);
    expect(readFileSync(join(dataDir, 'logs/audit.jsonl'), 'utf8')).toContain(`"candles_file":"${ALTCOIN_JSON}"`);
    const drift = await runCli(['drift', '--data-dir', dataDir]);
    expect(drift.code, drift.stderr).toBe(0);
    expect(drift.stdout).not.toContain('candles_file');
  }, 150_000);
});
