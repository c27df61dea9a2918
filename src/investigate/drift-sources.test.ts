import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';

interface Line { readonly event_type: string; readonly session_id: string; readonly prev_session?: string; readonly changes?: { path: string; source?: string }[] }

async function paper(dataDir: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const result = await runCli(['paper', '--data-dir', dataDir, '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '2s', ...extra], { env, timeoutMs: 60_000 });
  expect(result.code, result.stderr).toBe(0);
}

function auditLines(dataDir: string): Line[] {
  return readLines(join(dataDir, 'logs', 'audit.jsonl'));
}

function readLines(path: string): Line[] {
  const text = readFileSync(path, 'utf8');
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Line);
}

describe('the bot and drift say where a changed value came from, and keep finding drift without sessions/', () => {
  it('env, file and --set values are attributed; a demo is no baseline; rm -rf sessions still logs CONFIG_DIFF', { timeout: 180_000 }, async () => {
    const dir = tempDir('tt-drift-sources-');
    const file = join(dir, 'bot.yaml');
    writeFileSync(file, 'execution:\n  slippage_bps: 25\n');
    await paper(dir);
    await paper(dir, [], { TRADETRACE__EXECUTION__SLIPPAGE_BPS: '35' });
    const demo = await runCli(['demo', '--data-dir', dir], { timeoutMs: 60_000 });
    expect(demo.code, demo.stderr).toBe(0);
    await paper(dir, ['--config', file]);
    rmSync(join(dir, 'sessions'), { recursive: true });
    await paper(dir, ['--set', 'execution.slippage_bps=44']);

    const starts = auditLines(dir).filter((l) => l.event_type === 'CONFIG_HASH').map((l) => l.session_id);
    expect(starts).toHaveLength(5);
    const [s1, s2, , s4, s5] = starts;
    const diffs = auditLines(dir).filter((l) => l.event_type === 'CONFIG_DIFF');
    // s4 compared with s2 (the demo passed over), s5 with s4 though sessions/ is gone.
    expect(diffs.map((d) => [d.prev_session, d.session_id])).toEqual([[s1, s2], [s2, s4], [s4, s5]]);
    expect(diffs.map((d) => d.changes?.find((c) => c.path === 'execution.slippage_bps')?.source)).toEqual([
      'env TRADETRACE__EXECUTION__SLIPPAGE_BPS', `file ${file}`, 'flag --set execution.slippage_bps',
    ]);

    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n').filter((l) => l.startsWith('  execution.slippage_bps: '));
    expect(lines).toEqual([
      '  execution.slippage_bps: 20 -> 35 (env TRADETRACE__EXECUTION__SLIPPAGE_BPS; was default)',
      `  execution.slippage_bps: 35 -> 25 (file ${file}; was env TRADETRACE__EXECUTION__SLIPPAGE_BPS)`,
      `  execution.slippage_bps: 25 -> 44 (flag --set execution.slippage_bps; was file ${file})`,
    ]);
    const json = JSON.parse((await runQuery(['drift', '--json', '--data-dir', dir])).stdout) as { drifts: { changes: { path: string; fromSource?: string; toSource?: string }[] }[] };
    expect(json.drifts[0]?.changes.find((c) => c.path === 'execution.slippage_bps')).toMatchObject({ fromSource: 'default', toSource: 'env TRADETRACE__EXECUTION__SLIPPAGE_BPS' });

    const alerts = await runQuery(['alerts', '--data-dir', dir]);
    expect(alerts.stdout).toContain(`config_drift`);
    expect(alerts.stdout).toContain(`vs ${s4}`);
  });
});
