import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from './config-problem.js';
import { envNameOf, envSettings } from './env-settings.js';
import { loadConfig } from './load-config.js';
import { CONFIG_KEYS, SECTIONS } from './schema.js';

const ROOT = resolve(import.meta.dirname, '../..');

function problemLines(env: NodeJS.ProcessEnv): string[] {
  const result = loadConfig({ env });
  if (result.ok) throw new Error(`expected ${Object.keys(env).join(', ')} to be refused`);
  return result.errors.map(formatProblem);
}

/** Each env problem as the name refused and the spelling suggested. */
function refusals(env: NodeJS.ProcessEnv): [string, string | undefined][] {
  return envSettings(env).problems.map((p) => {
    if (p.code === 'unknown_env') return [p.name, p.suggestion];
    if (p.code === 'unknown_key') return [p.path, p.suggestion];
    throw new Error(`unexpected problem: ${formatProblem(p)}`);
  });
}

/**
 * What Kubernetes puts in every pod's environment for a Service of this name in the namespace
 * (`-` becomes `_`), here with one TCP port 9464 named `metrics`, as the bot's Prometheus port.
 */
function kubernetesServiceEnv(service: string): Record<string, string> {
  const prefix = service.toUpperCase().replaceAll('-', '_');
  return {
    [`${prefix}_SERVICE_HOST`]: '10.96.12.34',
    [`${prefix}_SERVICE_PORT`]: '9464',
    [`${prefix}_SERVICE_PORT_METRICS`]: '9464',
    [`${prefix}_PORT`]: 'tcp://10.96.12.34:9464',
    [`${prefix}_PORT_9464_TCP`]: 'tcp://10.96.12.34:9464',
    [`${prefix}_PORT_9464_TCP_ADDR`]: '10.96.12.34',
    [`${prefix}_PORT_9464_TCP_PORT`]: '9464',
    [`${prefix}_PORT_9464_TCP_PROTO`]: 'tcp',
  };
}

/**
 * What `docker run --link bot:tradetrace` puts in the environment: the link's name and ports, and
 * each variable of the linked container copied as TRADETRACE_ENV_NAME (that bot's own config).
 */
const DOCKER_LINK_ENV: Readonly<Record<string, string>> = {
  TRADETRACE_NAME: '/alerts/tradetrace',
  TRADETRACE_PORT: 'tcp://172.17.0.5:9464',
  TRADETRACE_PORT_9464_TCP: 'tcp://172.17.0.5:9464',
  TRADETRACE_PORT_9464_TCP_ADDR: '172.17.0.5',
  TRADETRACE_PORT_9464_TCP_PORT: '9464',
  TRADETRACE_PORT_9464_TCP_PROTO: 'tcp',
  TRADETRACE_ENV_TRADETRACE__EXECUTION__QUOTE_BUDGET: '250',
  TRADETRACE_ENV_TRADETRACE_DATA_DIR: '/data',
};

/** Every file under `dir` that is ours: not built, installed or generated. */
function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.out', '.git', '.tmp'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.isFile() && statSync(path).size < 1_000_000) yield path;
  }
}

describe('TRADETRACE_ variables that are not config keys', () => {
  it('refuses a key written with one underscore after the prefix, naming it, what was expected and the spelling meant', () => {
    expect(problemLines({ TRADETRACE_EXECUTION__QUOTE_BUDGET: '60' })).toEqual([
      'TRADETRACE_EXECUTION__QUOTE_BUDGET: unknown environment variable; expected a config key as TRADETRACE__SECTION__KEY (two underscores after TRADETRACE and between section and key), or TRADETRACE_DATA_DIR; did you mean TRADETRACE__EXECUTION__QUOTE_BUDGET?',
    ]);
  });

  it('refuses any name with __ in it, as only a key is written so, suggesting the nearest key if one is near', () => {
    // TRADETRACE___ starts as a key does, so it is refused as an unknown key, with the same suggestion.
    const refused = refusals({
      TRADETRACE___EXECUTION__QUOTE_BUDGET: '60',
      TRADETRACE_EXECUTION_QUOTE__BUDGET: '60',
      TRADETRACE_EXECUTON__QUOTE_BUDGET: '60',
      TRADETRACE_FOO__BAR: '1',
    });
    expect(refused).toEqual([
      ['TRADETRACE_EXECUTION_QUOTE__BUDGET', 'TRADETRACE__EXECUTION__QUOTE_BUDGET'],
      ['TRADETRACE_EXECUTON__QUOTE_BUDGET', 'TRADETRACE__EXECUTION__QUOTE_BUDGET'],
      ['TRADETRACE_FOO__BAR', undefined],
      ['TRADETRACE___EXECUTION__QUOTE_BUDGET', 'TRADETRACE__EXECUTION__QUOTE_BUDGET'],
    ]);
  });

  it('refuses every key written with single underscores only, whichever section it is in, suggesting its two-underscore name', () => {
    // Sections with an underscore of their own (market_data, paper_exchange) included.
    for (const path of CONFIG_KEYS.keys()) {
      const name = `TRADETRACE_${path.replace('.', '_').toUpperCase()}`;
      expect(envSettings({ [name]: '1' }).problems, name).toEqual([
        { code: 'unknown_env', name, expected: expect.any(String) as string, suggestion: envNameOf(path) },
      ]);
    }
  });

  it('refuses a near miss of a key written with single underscores, when the section is spelt right', () => {
    const refused = refusals({
      TRADETRACE_TRADING_MAX_OPEN_POSITION: '3',
      TRADETRACE_EXECUTION_QUOTE_BUDGT: '60',
      TRADETRACE_MARKET_DATA_STALE: '1m',
      // A section mis-spelt as well is two slips in one name: left alone, like a Service's name.
      TRADETRACE_EXECUTON_QUOTE_BUDGET: '60',
    });
    expect(refused).toEqual([
      ['TRADETRACE_EXECUTION_QUOTE_BUDGT', 'TRADETRACE__EXECUTION__QUOTE_BUDGET'],
      ['TRADETRACE_MARKET_DATA_STALE', 'TRADETRACE__MARKET_DATA__STALE_AFTER'],
      ['TRADETRACE_TRADING_MAX_OPEN_POSITION', 'TRADETRACE__TRADING__MAX_OPEN_POSITIONS'],
    ]);
  });

  it('suggests TRADETRACE_DATA_DIR for the same slip the other way round', () => {
    expect(problemLines({ TRADETRACE__DATA_DIR: '/d' })).toEqual(['TRADETRACE__DATA_DIR: unknown config key (from env TRADETRACE__DATA_DIR); did you mean TRADETRACE_DATA_DIR?']);
  });

  it('leaves alone the Kubernetes service variables of a Service named tradetrace or tradetrace-<any section>', () => {
    const services = ['tradetrace', ...Object.keys(SECTIONS).map((section) => `tradetrace-${section.replaceAll('_', '-')}`)];
    const env = Object.fromEntries(services.flatMap((service) => Object.entries(kubernetesServiceEnv(service))));
    expect(env).toMatchObject({ TRADETRACE_SERVICE_HOST: '10.96.12.34', TRADETRACE_PORT_9464_TCP_ADDR: '10.96.12.34', TRADETRACE_MARKET_DATA_PORT: 'tcp://10.96.12.34:9464' });
    expect(envSettings(env)).toEqual({ settings: [], problems: [] });
  });

  it('leaves alone the variables of a Service named tradetrace-metrics: its TRADETRACE_METRICS_PORT is a key\'s bare name, but holds an address', () => {
    const env = kubernetesServiceEnv('tradetrace-metrics');
    expect(env).toMatchObject({ TRADETRACE_METRICS_PORT: 'tcp://10.96.12.34:9464' });
    expect(envSettings(env)).toEqual({ settings: [], problems: [] });
    // The same name with a port number is a slip for alerts.metrics_port, and still refused.
    expect(envSettings({ TRADETRACE_METRICS_PORT: '9464' }).problems.map((p) => p.code)).toEqual(['unknown_env']);
  });

  it('accepts the variables the bot reads, and leaves alone Docker link, wrapper and tooling TRADETRACE_ variables as any other', () => {
    const env = {
      ...DOCKER_LINK_ENV,
      ...kubernetesServiceEnv('tradetrace'),
      TRADETRACE_HOME: '/opt/tradetrace',
      TRADETRACE_TOOLS_DIR: '/t',
      TRADETRACE_KEEP_TEST_DIRS: '1',
      TRADETRACE_DATA_DIR: '/d',
      TRADETRACE__EXECUTION__QUOTE_BUDGET: '60',
      TRADETRACEX: '1',
      HOME: '/root',
    };
    const result = loadConfig({ env });
    expect(result.ok ? [] : result.errors.map(formatProblem)).toEqual([]);
    expect(result.ok && result.value.config.execution.quote_budget.toString()).toBe('60');
    expect(result.ok && result.value.overrides.map((o) => o.source)).toEqual([{ kind: 'env', name: 'TRADETRACE__EXECUTION__QUOTE_BUDGET' }]);
  });

  it('accepts every TRADETRACE_ variable the code, tests, scripts and CI read (one named like a key would make the bot refuse it)', () => {
    // env['X'], env.X, and a shell's $X / ${X}: how this repository reads a variable.
    const read = /(?:env(?:\.|\[\s*['"])|\$\{?)(TRADETRACE_[A-Z0-9][A-Z0-9_]*)/g;
    const found = new Map<string, string>();
    for (const top of ['src', 'test', 'scripts', 'bench', 'bin', 'ops', '.ci', 'package.json']) {
      const start = join(ROOT, top);
      const files = statSync(start, { throwIfNoEntry: false })?.isDirectory() ? [...sourceFiles(start)] : [start];
      for (const file of files) {
        for (const match of readFileSync(file, 'utf8').matchAll(read)) found.set(match[1] ?? '', relative(ROOT, file));
      }
    }
    expect(found.has('TRADETRACE_DATA_DIR')).toBe(true);
    expect(found.has('TRADETRACE_TOOLS_DIR')).toBe(true);
    const refused = [...found].filter(([name]) => envSettings({ [name]: '1' }).problems.length > 0);
    expect(refused).toEqual([]);
  });
});

describe('a config key written with only the prefix short, or in lower case', () => {
  it('refuses TRADETRACE_ before a spec alias or a key name without its section, naming both spellings meant', () => {
    expect(problemLines({ TRADETRACE_GLOBAL_TRADING: 'false' })).toEqual([
      'TRADETRACE_GLOBAL_TRADING: unknown environment variable; expected a config key as TRADETRACE__SECTION__KEY (two underscores after TRADETRACE and between section and key), or TRADETRACE_DATA_DIR; did you mean GLOBAL_TRADING or TRADETRACE__TRADING__GLOBAL_TRADING?',
    ]);
    expect(refusals({ TRADETRACE_ENABLE_LIVE_DASHBOARD: '0', TRADETRACE_SLIPPAGE_BPS: '5', TRADETRACE_QUOTE_BUDGET: '60' })).toEqual([
      ['TRADETRACE_ENABLE_LIVE_DASHBOARD', 'ENABLE_LIVE_DASHBOARD or TRADETRACE__DASHBOARD__ENABLE_LIVE_DASHBOARD'],
      ['TRADETRACE_QUOTE_BUDGET', 'TRADETRACE__EXECUTION__QUOTE_BUDGET'],
      ['TRADETRACE_SLIPPAGE_BPS', 'TRADETRACE__EXECUTION__SLIPPAGE_BPS'],
    ]);
  });

  it('refuses every key name after TRADETRACE_ but NAME, which Docker --link sets', () => {
    for (const key of CONFIG_KEYS.values()) {
      const name = `TRADETRACE_${key.name.toUpperCase()}`;
      expect(envSettings({ [name]: '1' }).problems.length, name).toBe(key.name === 'name' ? 0 : 1);
    }
  });

  it('refuses a key variable in lower or mixed case, which the bot would not read, suggesting its upper-case name', () => {
    expect(refusals({ tradetrace__execution__slippage_bps: '5', TRADETRACE_global_trading: 'false', tradetrace_execution_quote_budget: '9', Tradetrace__Trading__Symbols: 'ETH/USDT' })).toEqual([
      ['TRADETRACE_global_trading', 'GLOBAL_TRADING or TRADETRACE__TRADING__GLOBAL_TRADING'],
      ['Tradetrace__Trading__Symbols', 'TRADETRACE__TRADING__SYMBOLS'],
      ['tradetrace__execution__slippage_bps', 'TRADETRACE__EXECUTION__SLIPPAGE_BPS'],
      ['tradetrace_execution_quote_budget', 'TRADETRACE__EXECUTION__QUOTE_BUDGET'],
    ]);
    // Lower-case variables that are no key are left alone, as their upper-case twins are.
    expect(envSettings({ tradetrace_home: '/opt', tradetrace_service_host: '10.0.0.1', tradetrace_data_dir: '/d' })).toEqual({ settings: [], problems: [] });
  });
});
