import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';

describe('a single-value flag given twice', () => {
  it('paper refuses two --config files before anything starts, naming both (it traded on the last, global_trading back on)', async () => {
    const dir = tempDir('tt-repeated-');
    writeFileSync(join(dir, 'safety.yaml'), 'trading:\n  global_trading: false\n');
    writeFileSync(join(dir, 'tuning.yaml'), 'execution:\n  slippage_bps: 10\n');
    const dataDir = join(dir, 'data');
    const result = await runCli(['paper', '--config', 'safety.yaml', '--config', 'tuning.yaml', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '1s', '--data-dir', dataDir], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('tradetrace paper: --config given twice (safety.yaml, tuning.yaml); give it once');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('every command refuses it with exit 2, its own name and both values', async () => {
    const dir = tempDir('tt-repeated-');
    const twice = ['--data-dir', join(dir, 'a'), '--data-dir', join(dir, 'b')];
    const cases: [string, string[], string][] = [
      ['config', ['config', '--config', 'a.yaml', '--config', 'b.yaml'], '--config given twice (a.yaml, b.yaml)'],
      ['paper', ['paper', '--speed', '5', '--speed=max'], '--speed given twice (5, max)'],
      ['demo', ['demo', ...twice], `--data-dir given twice (${join(dir, 'a')}, ${join(dir, 'b')})`],
      ['alerts', ['alerts', '--config', 'a.yaml', '--config', 'b.yaml'], '--config given twice (a.yaml, b.yaml)'],
      ...['why', 'trace', 'orders', 'health', 'drift', 'dash', 'sessions'].map((command): [string, string[], string] => [command, [command, ...twice], `--data-dir given twice (${join(dir, 'a')}, ${join(dir, 'b')})`]),
      ['orders', ['orders', '--since', '1h', '--since', '2h'], '--since given twice (1h, 2h)'],
    ];
    const results = await Promise.all(cases.map(([, args]) => runCli(args, { cwd: dir })));
    results.forEach((result, i) => {
      const [command, , said] = cases[i] ?? ['', [], ''];
      expect(result.code, `${command}: ${result.stderr}`).toBe(2);
      expect(result.stderr, command).toContain(`tradetrace ${command}: ${said}; give it once`);
    });
    expect(existsSync(join(dir, 'a')) || existsSync(join(dir, 'b'))).toBe(false);
  }, 240_000);

  it('--set stays repeatable', async () => {
    const result = await runCli(['config', '--set', 'execution.slippage_bps=25', '--set', 'trading.global_trading=false']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/execution\.slippage_bps = 25/);
    expect(result.stdout).toMatch(/trading\.global_trading = false/);
  });
});

describe('a mistyped --set holding a secret', () => {
  const SECRET = 'ZZSECRETZZ9';

  it.each([
    [['--set', 'exchange.api_key', SECRET], 'an argument with no flag after --set exchange.api_key: did you mean --set exchange.api_key=VALUE? (the argument is not shown: it may be a secret)'],
    [['--set', `exchange=${SECRET}`], '--set: expected section.key=value, e.g. --set execution.slippage_bps=25, got "exchange=[REDACTED]"'],
    [['--set', SECRET], '--set: expected section.key=value, e.g. --set execution.slippage_bps=25, got "[not shown: it may be a secret]"'],
    [['--set', 'a8F3kd92Jd0xQ'], '--set: expected section.key=value, e.g. --set execution.slippage_bps=25, got "[not shown: it may be a secret]"'],
  ])('%j is refused by paper and config without showing the value', async (flags, said) => {
    const dir = tempDir('tt-set-secret-');
    const [paper, config] = await Promise.all([
      runCli(['paper', '--data-dir', join(dir, 'data'), ...flags], { cwd: dir }),
      runCli(['config', ...flags], { cwd: dir }),
    ]);
    for (const [name, result] of [['paper', paper], ['config', config]] as const) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(said);
      expect(result.stderr + result.stdout).not.toContain(SECRET);
      expect(result.stderr + result.stdout).not.toContain('a8F3kd92Jd0xQ');
      expect(result.stderr, name).toContain(`tradetrace ${name}`);
    }
    expect(existsSync(join(dir, 'data'))).toBe(false);
  }, 60_000);
});
