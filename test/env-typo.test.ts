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

  it('is refused with single underscores throughout too, when it reads as a section and its key', async () => {
    const result = await runCli(['config'], { cwd: tempDir('tradetrace-env-typo-'), env: { TRADETRACE_TRADING_MAX_OPEN_POSITIONS: '3' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'tradetrace config: invalid config (1 problem):\n  - TRADETRACE_TRADING_MAX_OPEN_POSITIONS: unknown environment variable; expected a config key as TRADETRACE__SECTION__KEY (two underscores after TRADETRACE and between section and key), or TRADETRACE_DATA_DIR; did you mean TRADETRACE__TRADING__MAX_OPEN_POSITIONS?\n',
    );
  });

  it('spelled with two underscores, sets the key and is listed as an override', async () => {
    const result = await runCli(['config'], { cwd: tempDir('tradetrace-env-typo-'), env: { TRADETRACE__EXECUTION__QUOTE_BUDGET: '60' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/execution\.quote_budget = 60 +from env TRADETRACE__EXECUTION__QUOTE_BUDGET\n/);
  });
});

/**
 * TRADETRACE_ variables a deployment puts in the bot's environment that are not its config: what
 * Kubernetes gives every pod for a Service named tradetrace (the bot's metrics port, 9464), what
 * `docker run --link bot:tradetrace` gives (the linked bot's own variables copied as
 * TRADETRACE_ENV_NAME), and a wrapper script's own.
 */
const DEPLOYMENT_ENV = {
  TRADETRACE_SERVICE_HOST: '10.96.12.34',
  TRADETRACE_SERVICE_PORT: '9464',
  TRADETRACE_SERVICE_PORT_METRICS: '9464',
  TRADETRACE_PORT: 'tcp://10.96.12.34:9464',
  TRADETRACE_PORT_9464_TCP: 'tcp://10.96.12.34:9464',
  TRADETRACE_PORT_9464_TCP_ADDR: '10.96.12.34',
  TRADETRACE_PORT_9464_TCP_PORT: '9464',
  TRADETRACE_PORT_9464_TCP_PROTO: 'tcp',
  TRADETRACE_DASHBOARD_SERVICE_HOST: '10.96.12.35',
  TRADETRACE_DASHBOARD_PORT: 'tcp://10.96.12.35:8080',
  TRADETRACE_NAME: '/alerts/tradetrace',
  TRADETRACE_ENV_TRADETRACE__EXECUTION__QUOTE_BUDGET: '250',
  TRADETRACE_ENV_TRADETRACE_DATA_DIR: '/data',
  TRADETRACE_HOME: '/opt/tradetrace',
};

describe('TRADETRACE_ variables of the platform, not config keys', () => {
  it('do not stop the bot: demo runs and config lists only the real key as an override', async () => {
    const dir = tempDir('tradetrace-env-typo-');
    const dataDir = join(dir, 'data');
    const env = { ...DEPLOYMENT_ENV, TRADETRACE_DATA_DIR: dataDir, TRADETRACE__EXECUTION__QUOTE_BUDGET: '60' };
    const [config, demo] = await Promise.all([runCli(['config'], { cwd: dir, env }), runCli(['demo'], { cwd: dir, env })]);
    expect([config.code, config.stderr]).toEqual([0, '']);
    expect([demo.code, demo.stderr]).toEqual([0, '']);
    expect(config.stdout).toMatch(/execution\.quote_budget = 60 +from env TRADETRACE__EXECUTION__QUOTE_BUDGET\n/);
    expect(config.stdout).not.toMatch(/= 250/);
    expect(demo.stdout).toMatch(/^demo session session_\S+: /);
    expect(existsSync(join(dataDir, 'logs'))).toBe(true);
  });
});
