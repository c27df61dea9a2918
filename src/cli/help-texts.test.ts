import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';

// Help texts that say what the code does: the options a command lists are ones it takes, and every
// command that reads a config file describes it as the config loader reads it.

async function help(command: string): Promise<string> {
  const r = await runQuery([command, '--help']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** A --config line of a help text, with its description. */
function configLine(text: string): string {
  return text.split('\n').find((l) => l.trimStart().startsWith('--config FILE')) ?? '';
}

describe('--help', () => {
  it('every command with --config says what `config` does: any name but .json is read as YAML', async () => {
    for (const command of ['config', 'paper', 'demo', 'alerts']) {
      expect(configLine(await help(command)), command).toMatch(/\(JSON, or YAML for any other extension\)$/);
    }
    // What the help promises: a file named .conf is read as YAML.
    const dir = tempDir('tt-help-config-');
    writeFileSync(join(dir, 'bot.conf'), 'trading:\n  symbols: [ETH/USDT]\n');
    const r = await runQuery(['config', '--config', 'bot.conf'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trading\.symbols = ETH\/USDT +from file /);
  });

  it('health does not list --since/--until, which it refuses, among its options, and says it refuses them', async () => {
    const text = await help('health');
    expect(text).not.toMatch(/^ {2}--since /m);
    expect(text).not.toMatch(/^ {2}--until /m);
    expect(text).toContain('--since/--until are refused (exit 2)');
    expect(text).toMatch(/^ {2}--session ID /m);
    // The other query commands still offer them.
    expect(await help('orders')).toMatch(/^ {2}--since T /m);
  });
});

describe('--version', () => {
  it("prints the package's version, as each session's manifest records it, and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await runQuery([flag]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, `tradetrace ${version}\n`, '']);
    }
  });
});
