import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';

const PAPER = ['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '2s'];

describe('config the operator meant to give is refused, not silently replaced by a default (CLI)', () => {
  it('refuses TRADETRACE_GLOBAL_TRADING=false (exit 2, nothing started) instead of trading with the switch on', async () => {
    const dir = tempDir('tradetrace-prefix-slip-');
    const dataDir = join(dir, 'd');
    const result = await runCli([...PAPER, '--data-dir', dataDir], { cwd: dir, env: { TRADETRACE_GLOBAL_TRADING: 'false' } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('TRADETRACE_GLOBAL_TRADING: unknown environment variable');
    expect(result.stderr).toContain('did you mean GLOBAL_TRADING or TRADETRACE__TRADING__GLOBAL_TRADING?');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a config file left empty, and a kill switch with no value, naming file and line (exit 2, nothing started)', async () => {
    const dir = tempDir('tradetrace-empty-config-');
    writeFileSync(join(dir, 'empty.yaml'), '# rendered by the deploy, cut short\n');
    writeFileSync(join(dir, 'f.yaml'), 'trading:\n  global_trading:\n');
    const dataDir = join(dir, 'd');
    const empty = await runCli([...PAPER, '--config', 'empty.yaml', '--data-dir', dataDir], { cwd: dir });
    expect(empty.code, empty.stderr).toBe(2);
    expect(empty.stderr).toContain(`config file ${join(dir, 'empty.yaml')}: is empty (or only comments, or null); expected sections of settings`);
    const unset = await runCli([...PAPER, '--config', 'f.yaml', '--data-dir', dataDir], { cwd: dir });
    expect(unset.code, unset.stderr).toBe(2);
    expect(unset.stderr).toContain(`config file ${join(dir, 'f.yaml')}:2:3: trading.global_trading has no value; give one, or remove the line to use the default (true)`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it("refuses a session's config.json reused as --config: its API key is the key's hash, not the key", async () => {
    const dir = tempDir('tradetrace-reused-snapshot-');
    const dataDir = join(dir, 'd');
    const run = await runCli(['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '1s', '--data-dir', dataDir], { cwd: dir, env: { TRADETRACE__EXCHANGE__API_KEY: 'k3y-abcdef-123' } });
    expect(run.code, run.stderr).toBe(0);
    const [session] = readdirSync(join(dataDir, 'sessions'));
    const snapshot = join(dataDir, 'sessions', session ?? '', 'config.json');
    const reused = await runCli(['config', '--config', snapshot], { cwd: dir });
    expect(reused.code, reused.stdout).toBe(2);
    expect(reused.stderr).toMatch(/exchange\.api_key: got "sha256:[0-9a-f]{8}…" \(from file .*config\.json\): this is how snapshots show a secret, not the secret itself; give the secret \(env TRADETRACE__EXCHANGE__API_KEY/);
    expect(reused.stderr).toContain('invalid config (1 problem)');
  });
});
