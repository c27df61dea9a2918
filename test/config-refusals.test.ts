import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

describe('config the operator meant is never silently replaced', () => {
  it('refuses a JSON config file with a repeated key (exit 2), naming the file, the key path and the line of each repeat', async () => {
    const dir = tempDir('tradetrace-config-dup-');
    writeFileSync(join(dir, 'f.json'), '{"trading":{"global_trading":false},\n"trading":{"max_open_positions":2,\n"max_open_positions":3}}\n');
    const result = await runCli(['config', '--config', 'f.json'], { cwd: dir });
    expect(result.code, result.stdout).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid config (2 problems)');
    expect(result.stderr).toContain(`  - trading: key given more than once in config file ${join(dir, 'f.json')}:2:1 (first at line 1)`);
    expect(result.stderr).toContain(`  - trading.max_open_positions: key given more than once in config file ${join(dir, 'f.json')}:3:1 (first at line 2)`);

    const dataDir = join(dir, 'data');
    const demo = await runCli(['demo', '--config', 'f.json', '--data-dir', dataDir], { cwd: dir });
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('nothing started');
    expect(existsSync(join(dataDir, 'sessions'))).toBe(false);
  });

  it('refuses a market given twice, in --synthetic (before anything starts) and in trading.symbols, exit 2', async () => {
    const dir = tempDir('tradetrace-dup-symbol-');
    const dataDir = join(dir, 'd');
    const paper = await runCli(['paper', '--synthetic', 'BTC/USDT,BTC/USDT', '--speed', 'max', '--duration', '1s', '--data-dir', dataDir], { cwd: dir });
    expect(paper.code, paper.stderr).toBe(2);
    expect(paper.stderr).toContain('invalid config (1 problem); nothing started');
    expect(paper.stderr).toContain('trading.symbols: expected each market once; BTC/USDT is listed twice, got "BTC/USDT,BTC/USDT" (from flag --synthetic)');
    expect(existsSync(dataDir)).toBe(false);

    const config = await runCli(['config', '--set', 'trading.symbols=BTC/USDT,ETH/USDT,BTC/USDT'], { cwd: dir });
    expect(config.code, config.stdout).toBe(2);
    expect(config.stderr).toContain('trading.symbols: expected each market once; BTC/USDT is listed twice, got "BTC/USDT,ETH/USDT,BTC/USDT" (from flag --set trading.symbols)');
  });
});
