import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../src/recorder/line-parser.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

function auditLines(dataDir: string): Record<string, unknown>[] {
  return readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8').trim().split('\n').map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(`${parsed.error.message}: ${text}`);
    return parsed.value;
  });
}

describe('acceptance: config audit across two demo sessions', () => {
  it('writes CONFIG_OVERRIDES in both and CONFIG_DIFF naming trading.global_trading in the second, found by grep', async () => {
    const dataDir = join(tempDir('tradetrace-accept-'), 'data');
    const first = await runCli(['demo', '--data-dir', dataDir], { env: { GLOBAL_TRADING: 'true' } });
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['demo', '--data-dir', dataDir], { env: { GLOBAL_TRADING: 'false' } });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('buy blocked');

    const sessions = readdirSync(join(dataDir, 'sessions')).sort();
    expect(sessions).toHaveLength(2);
    const [firstId, secondId] = sessions as [string, string];
    const lines = auditLines(dataDir);
    const overrides = lines.filter((l) => l['event_type'] === 'CONFIG_OVERRIDES');
    expect(overrides.map((l) => [l['session_id'], l['overrides']])).toEqual([
      [firstId, { GLOBAL_TRADING: 'true (from env)' }],
      [secondId, { GLOBAL_TRADING: 'false (from env)' }],
    ]);
    const hashes = sessions.map((id) => readFileSync(join(dataDir, 'sessions', id, 'config_hash.txt'), 'utf8').trim());
    const diffs = lines.filter((l) => l['event_type'] === 'CONFIG_DIFF');
    expect(diffs).toEqual([
      expect.objectContaining({
        session_id: secondId,
        message: `Config drift detected: ${hashes[0]?.slice(0, 8)} -> ${hashes[1]?.slice(0, 8)}`,
        prev_hash: hashes[0],
        current_hash: hashes[1],
        prev_session: firstId,
        changes: [{ path: 'trading.global_trading', from: true, to: false, source: 'env GLOBAL_TRADING' }],
      }),
    ]);

    // The spec's own command, run literally from the data directory.
    const grep = spawnSync('grep', ['CONFIG_DIFF', 'logs/audit.jsonl'], { cwd: dataDir, encoding: 'utf8' });
    expect(grep.status).toBe(0);
    const found = grep.stdout.trim().split('\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('"path":"trading.global_trading"');
    expect(found[0]).toContain(`"prev_session":"${firstId}"`);

    // The config change is visible in the decisions too: the second session's buy was blocked by it.
    const decisions = readFileSync(join(dataDir, 'logs', 'decisions.jsonl'), 'utf8');
    expect(decisions).toMatch(new RegExp(`"event_type":"BUY_BLOCKED","session_id":"${secondId}".*"guard":"global_trading"`));
  });

  it('an invalid config exits 2, lists every problem, and creates nothing', async () => {
    const cwd = tempDir('tradetrace-accept-');
    const result = await runCli(['demo', '--set', 'execution.tif=DAY', '--set', 'exits.max_holding=10'], {
      cwd,
      env: { GLOBAL_TRADING: 'maybe', TRADETRACE__TRADING__SYMBOL: 'ETH/USDT', TRADETRACE_DATA_DIR: '' },
    });
    expect(result.code).toBe(2);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toEqual([
      '  - TRADETRACE__TRADING__SYMBOL: unknown config key (from env TRADETRACE__TRADING__SYMBOL); did you mean TRADETRACE__TRADING__SYMBOLS?',
      '  - trading.global_trading: expected a boolean (true/false, 1/0, yes/no, on/off), got "maybe" (from env GLOBAL_TRADING)',
      '  - execution.tif: expected one of IOC, FOK, GTC, got "DAY" (from flag --set execution.tif)',
      expect.stringMatching(/^ {2}- exits\.max_holding: expected a duration with a unit.*, got "10" \(from flag --set exits\.max_holding\)$/) as string,
    ]);
    expect(result.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });
});
