import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';

describe('tradetrace config', () => {
  it('prints the redacted effective config, its hash and where each non-default value came from', async () => {
    const dir = tempDir('tradetrace-config-cmd-');
    const file = join(dir, 'bot.yaml');
    writeFileSync(file, 'trading:\n  symbols: [ETH/USDT]\nexecution:\n  slippage_bps: 10\n');
    const result = await runCli(['config', '--config', 'bot.yaml', '--set', 'execution.slippage_bps=25'], {
      cwd: dir,
      env: { GLOBAL_TRADING: 'false', TRADETRACE__EXCHANGE__API_KEY: 'live-key-0123456789' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^config_hash: [0-9a-f]{16}\n/);
    expect(result.stdout).toContain(`file: ${file}`);
    expect(result.stdout).toMatch(/trading\.global_trading = false +from env GLOBAL_TRADING\n/);
    expect(result.stdout).toMatch(/trading\.symbols = ETH\/USDT +from file .*bot\.yaml\n/);
    expect(result.stdout).toMatch(/execution\.slippage_bps = 25 +from flag --set execution\.slippage_bps\n/);
    expect(result.stdout).toMatch(/exchange\.api_key = \[REDACTED\] +from env TRADETRACE__EXCHANGE__API_KEY\n/);
    expect(result.stdout).toMatch(/\[runtime\]\n {3}heartbeat_interval = 30s\n/);
    expect(result.stdout).not.toContain('live-key-0123456789');
  });

  it('--json gives the same hash a session started with the same settings records', async () => {
    const dir = tempDir('tradetrace-config-cmd-');
    const env = { TRADETRACE__EXITS__TAKE_PROFIT_PCT: '2.5', TRADETRACE__ALERTS__WEBHOOK_URL: 'https://hooks.example.com/T0KEN-abcdef' };
    const printed = await runCli(['config', '--json', '--set', 'runtime.heartbeat_interval=1m'], { cwd: dir, env });
    expect(printed.code, printed.stderr).toBe(0);
    const json = JSON.parse(printed.stdout) as { config_hash: string; config: Record<string, Record<string, unknown>>; sources: Record<string, unknown> };
    expect(json.config['alerts']?.['webhook_url']).toBe('[REDACTED]');
    expect(json.config['exits']?.['take_profit_pct']).toBe('2.5');
    expect(json.sources).toEqual({
      'exits.take_profit_pct': { source: 'env', name: 'TRADETRACE__EXITS__TAKE_PROFIT_PCT' },
      'alerts.webhook_url': { source: 'env', name: 'TRADETRACE__ALERTS__WEBHOOK_URL' },
      'runtime.heartbeat_interval': { source: 'flag', flag: '--set runtime.heartbeat_interval' },
    });
    expect(printed.stdout).not.toContain('T0KEN');

    const demo = await runCli(['demo', '--data-dir', 'data', '--set', 'runtime.heartbeat_interval=60s'], { cwd: dir, env });
    expect(demo.code, demo.stderr).toBe(0);
    const sessionId = /session_\d{8}_\d{6}(?:_\d+)?/.exec(demo.stdout)?.[0] ?? '';
    expect(readFileSync(join(dir, 'data', 'sessions', sessionId, 'config_hash.txt'), 'utf8').trim()).toBe(json.config_hash);
  });

  it('an invalid config prints every problem and exits 2', async () => {
    const dir = tempDir('tradetrace-config-cmd-');
    writeFileSync(join(dir, 'bad.json'), '{"strategy":{"ema_fast":50,"ema_slow":20},"dashboard":{"refresh":100}}');
    const result = await runCli(['config', '--config', 'bad.json', '--set', 'paper_exchange.fault_timeout=2'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid config (3 problems):');
    expect(result.stderr).toContain('dashboard.refresh: unknown config key (from file');
    expect(result.stderr).toContain('paper_exchange.fault_timeout: expected a number from 0 to 1, got "2" (from flag --set paper_exchange.fault_timeout)');
    expect(result.stderr).toContain('strategy.ema_fast: ema_fast (50) must be less than ema_slow (20), got 50 (from file');
  });

  it('an empty --config is said to be empty (it read the working directory: EISDIR)', async () => {
    const dir = tempDir('tradetrace-config-cmd-');
    const result = await runCli(['config', '--config', ''], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('tradetrace config: --config: the path is empty; give a config file (JSON, or YAML for any other extension)\n');
  });

  it('--data-dir is refused with what config reads and where a session\'s config is', async () => {
    const result = await runCli(['config', '--data-dir', 'data']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tradetrace config: --data-dir: config reads no data directory: it prints the config that --config FILE, the environment and --set make now');
    expect(result.stderr).toContain('tradetrace drift --data-dir DIR --session ID');
    expect(result.stderr).not.toContain('Unknown option');
  });

  it('names an unknown flag and exits 2', async () => {
    const result = await runCli(['config', '--sett', 'x=1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--sett'");
  });
});

describe('tradetrace config and a paper session\'s hash', () => {
  it('gives the hash the session recorded when its flags are given as the keys the help names', async () => {
    const dataDir = join(tempDir('tt-config-hash-'), 'data');
    // No ENABLE_LIVE_DASHBOARD here: it is a setting too (stdout is a pipe, so no live dashboard anyway).
    const paper = await runCli(['paper', '--synthetic', 'ETH/USDT', '--speed', '3000', '--duration', '1s', '--data-dir', dataDir], { timeoutMs: 90_000 });
    expect(paper.code, paper.stderr).toBe(0);
    const recorded = /"config_hash":"([0-9a-f]+)"/.exec(readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8'))?.[1];
    const config = await runCli(['config', '--set', 'market_data.source=synthetic', '--set', 'trading.symbols=ETH/USDT', '--set', 'market_data.speed=3000']);
    expect(config.code, config.stderr).toBe(0);
    expect(recorded).toBeDefined();
    expect(config.stdout.split('\n')[0]).toBe(`config_hash: ${recorded ?? ''}`);
  }, 120_000);
});
