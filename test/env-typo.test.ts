import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

const TYPO = 'TRADETRACE_EXECUTION__QUOTE_BUDGET';
const REFUSAL = `  - ${TYPO}: unknown environment variable; expected a config key as TRADETRACE__SECTION__KEY (two underscores after TRADETRACE and between section and key), or TRADETRACE_DATA_DIR; did you mean TRADETRACE__EXECUTION__QUOTE_BUDGET?\n`;

describe('a TRADETRACE_ variable with one underscore too few', () => {
  it('is refused (exit 2, nothing started) by every command that loads config, as an unknown key is', async () => {
    const dir = tempDir('tradetrace-env-typo-');
    const dataDir = join(dir, 'data');
    // alerts reads the data dir before it judges: give it one, so the config is what it refuses.
    mkdirSync(join(dir, 'alerts-data', 'logs'), { recursive: true });
    const env = { [TYPO]: '60', TRADETRACE_DATA_DIR: dataDir };
    const [config, paper, demo, alerts] = await Promise.all([
      runCli(['config'], { cwd: dir, env }),
      runCli(['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '1s'], { cwd: dir, env }),
      runCli(['demo'], { cwd: dir, env }),
      runCli(['alerts', '--rules', 'fatal'], { cwd: dir, env: { ...env, TRADETRACE_DATA_DIR: join(dir, 'alerts-data') } }),
    ]);
    expect([config.code, paper.code, demo.code, alerts.code]).toEqual([2, 2, 2, 2]);
    expect(config.stderr).toBe(`tradetrace config: invalid config (1 problem):\n${REFUSAL}`);
    expect(paper.stderr).toBe(`tradetrace paper: invalid config (1 problem); nothing started:\n${REFUSAL}`);
    expect(demo.stderr).toBe(`tradetrace demo: invalid config (1 problem); nothing started:\n${REFUSAL}`);
    expect(alerts.stderr).toBe(`tradetrace alerts: invalid config (1 problem):\n${REFUSAL}`);
    expect([config.stdout, paper.stdout, demo.stdout, alerts.stdout]).toEqual(['', '', '', '']);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('spelled with two underscores, sets the key and is listed as an override', async () => {
    const result = await runCli(['config'], { cwd: tempDir('tradetrace-env-typo-'), env: { TRADETRACE__EXECUTION__QUOTE_BUDGET: '60' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/execution\.quote_budget = 60 +from env TRADETRACE__EXECUTION__QUOTE_BUDGET\n/);
  });
});
