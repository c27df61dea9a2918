import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';

describe('a paper start beside a damaged rotated orders log', () => {
  it('trades, and names the file and the error in a LOG warn line (an old damaged .gz is no reason to refuse the start)', async () => {
    const dataDir = join(tempDir('tt-paper-damaged-gz-'), 'data');
    const logs = join(dataDir, 'logs');
    mkdirSync(logs, { recursive: true });
    const damaged = join(logs, 'orders.20260101T000000000Z.jsonl.gz');
    writeFileSync(damaged, 'not gzip at all\n');
    const run = await runCli(['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '1s', '--data-dir', dataDir], {
      env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 90_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const warnings = readFileSync(join(logs, 'system.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('could not read the rotated log'))
      .map((l) => JSON.parse(l) as { level: string; message: string; data: { path: string; error: string } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', data: { path: damaged, error: 'incorrect header check' } });
    expect(readFileSync(join(logs, 'decisions.jsonl'), 'utf8')).toContain('"event_type":"DECISION_END"');
  }, 120_000);
});
