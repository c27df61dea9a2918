import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { sanitizeText } from '../recorder/redaction.js';
import { formatProblem, type ConfigProblem } from './config-problem.js';
import { envNameOf } from './env-settings.js';
import { loadConfig, sourceOf, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
import { CONFIG_KEYS, configSchema, SECRET_PATHS, SECTIONS } from './schema.js';

function ok(options: LoadConfigOptions): LoadedConfig {
  const result = loadConfig(options);
  if (!result.ok) throw new Error(result.errors.map(formatProblem).join('\n'));
  return result.value;
}

function problems(options: LoadConfigOptions): ConfigProblem[] {
  const result = loadConfig(options);
  if (result.ok) throw new Error('expected the config to be invalid');
  return result.errors;
}

function file(name: string, text: string): string {
  const path = join(tempDir('tradetrace-config-'), name);
  writeFileSync(path, text);
  return path;
}

describe('config schema', () => {
  it('has a valid default for every key, and every section in the root schema', () => {
    const parsed = configSchema.parse({});
    expect(Object.keys(parsed)).toEqual(Object.keys(SECTIONS));
    expect(parsed.trading.global_trading).toBe(true);
    expect(parsed.runtime.heartbeat_interval).toBe(30_000);
    expect(parsed.runtime.stall_multiple).toBe(3);
    expect(parsed.dashboard.enable_live_dashboard).toBe(true);
    expect(parsed.execution.quote_budget).toBeInstanceOf(Decimal);
    expect(parsed.exchange.api_key).toBeUndefined();
  });

  it('marks credentials secret by schema, including a webhook URL whose name looks harmless', () => {
    expect([...SECRET_PATHS].sort()).toEqual(['alerts.webhook_url', 'exchange.api_key', 'exchange.api_secret']);
  });
});

describe('loadConfig precedence: defaults < file < env < flags', () => {
  it('takes each layer over the one before and records where every value came from', () => {
    const path = file('bot.yaml', 'trading:\n  global_trading: true\n  max_open_positions: 2\nexecution:\n  slippage_bps: 10\n  tif: FOK\n');
    const loaded = ok({
      file: path,
      env: { GLOBAL_TRADING: 'no', TRADETRACE__EXECUTION__SLIPPAGE_BPS: '25', HOME: '/root' },
      sets: ['execution.slippage_bps=30'],
    });
    expect(loaded.config.trading.global_trading).toBe(false);
    expect(loaded.config.trading.max_open_positions).toBe(2);
    expect(loaded.config.execution.slippage_bps).toBe(30);
    expect(loaded.config.execution.tif).toBe('FOK');
    expect(Object.fromEntries(loaded.sources)).toEqual({
      'trading.global_trading': { kind: 'env', name: 'GLOBAL_TRADING' },
      'trading.max_open_positions': { kind: 'file', file: path },
      'execution.slippage_bps': { kind: 'flag', flag: '--set execution.slippage_bps' },
      'execution.tif': { kind: 'file', file: path },
    });
    expect(sourceOf(loaded, 'exits.max_holding')).toEqual({ kind: 'default' });
    expect(loaded.overrides.map((o) => [o.path, o.source, o.value])).toEqual([
      ['trading.global_trading', { kind: 'env', name: 'GLOBAL_TRADING' }, false],
      ['execution.slippage_bps', { kind: 'env', name: 'TRADETRACE__EXECUTION__SLIPPAGE_BPS' }, 25],
      ['execution.slippage_bps', { kind: 'flag', flag: '--set execution.slippage_bps' }, 30],
    ]);
  });

  it('reaches every key through TRADETRACE__SECTION__KEY, parsed per the schema type', () => {
    const env: Record<string, string> = {};
    for (const key of CONFIG_KEYS.values()) env[envNameOf(key.path)] = key.defaultText ?? (key.kind === 'url' ? 'https://hooks.example/abc' : 'secret-value-123');
    const loaded = ok({ env });
    expect(loaded.sources.size).toBe(CONFIG_KEYS.size);
    expect(loaded.config).toMatchObject({ ...configSchema.parse({}), exchange: { name: 'paper', api_key: 'secret-value-123', api_secret: 'secret-value-123' } });
  });

  it('parses booleans, numbers, durations, decimals and comma-separated lists from text', () => {
    const loaded = ok({
      env: { ENABLE_LIVE_DASHBOARD: 'off', TRADETRACE__TRADING__SYMBOLS: 'ETH/USDT, BTC/USDT,', TRADETRACE__RUNTIME__HEARTBEAT_INTERVAL: '90s' },
      sets: ['trading.starting_quote_balance=2500.50', 'exits.max_holding=1h30m', 'alerts.order_failure_rate=0.25'],
    });
    expect(loaded.config.dashboard.enable_live_dashboard).toBe(false);
    expect(loaded.config.trading.symbols).toEqual(['ETH/USDT', 'BTC/USDT']);
    expect(loaded.config.runtime.heartbeat_interval).toBe(90_000);
    expect(loaded.config.trading.starting_quote_balance.toString()).toBe('2500.5');
    expect(loaded.config.exits.max_holding).toBe(5_400_000);
    expect(loaded.config.alerts.order_failure_rate).toBe(0.25);
    for (const [word, value] of [['1', true], ['0', false], ['YES', true], ['False', false]] as const) {
      expect(ok({ env: { GLOBAL_TRADING: word } }).config.trading.global_trading).toBe(value);
    }
  });

  // A key with no value (null) is refused, except an optional one: empty-values.test.ts.
  it('reads the same settings from JSON and from YAML', () => {
    const json = ok({ file: file('c.json', '{"trading":{"symbols":["ETH/USDT"]},"exits":{"max_holding":"2h"}}') });
    const yaml = ok({ file: file('c.yml', 'trading:\n  symbols:\n    - ETH/USDT\nexits: { max_holding: 2h }\n') });
    expect(json.config).toEqual(yaml.config);
    expect(json.config.trading.quote_currency).toBe('USDT');
  });

  it('maps a command flag onto its key, winning over --set', () => {
    const loaded = ok({ sets: ['trading.symbols=BTC/USDT'], flags: [{ path: 'trading.symbols', value: 'SOL/USDT', flag: '--symbol' }] });
    expect(loaded.config.trading.symbols).toEqual(['SOL/USDT']);
    expect(loaded.sources.get('trading.symbols')).toEqual({ kind: 'flag', flag: '--symbol' });
  });
});

describe('loadConfig problems', () => {
  it('reports one problem per bad value with the path, what was expected, what was given and its source', () => {
    const path = file('bad.yaml', 'trading:\n  max_open_positions: 0\nexecution:\n  tif: DAY\n');
    const errors = problems({ file: path, env: { GLOBAL_TRADING: 'maybe' }, sets: ['runtime.heartbeat_interval=30'] });
    expect(errors).toEqual([
      { code: 'invalid_value', path: 'trading.max_open_positions', expected: 'an integer from 1 to 100', given: 0, source: { kind: 'file', file: path } },
      { code: 'invalid_value', path: 'execution.tif', expected: 'one of IOC, FOK, GTC', given: 'DAY', source: { kind: 'file', file: path } },
      { code: 'invalid_value', path: 'trading.global_trading', expected: 'a boolean (true/false, 1/0, yes/no, on/off)', given: 'maybe', source: { kind: 'env', name: 'GLOBAL_TRADING' } },
      expect.objectContaining({ code: 'invalid_value', path: 'runtime.heartbeat_interval', given: '30', source: { kind: 'flag', flag: '--set runtime.heartbeat_interval' } }),
    ]);
    expect(errors.map(formatProblem)[2]).toBe('trading.global_trading: expected a boolean (true/false, 1/0, yes/no, on/off), got "maybe" (from env GLOBAL_TRADING)');
    expect(formatProblem(errors[3] as ConfigProblem)).toMatch(/^runtime\.heartbeat_interval: expected a duration with a unit.*got "30" \(from flag --set runtime\.heartbeat_interval\)$/);
  });

  it('refuses numeric text with an exponent (docs: numbers, integers and decimals are decimal text), naming the variable', () => {
    const errors = problems({
      env: { TRADETRACE__TRADING__MAX_OPEN_POSITIONS: '1e1', TRADETRACE__EXECUTION__SLIPPAGE_BPS: '2.5E1' },
      sets: ['trading.starting_quote_balance=1e3'],
    });
    expect(errors).toEqual([
      expect.objectContaining({ path: 'execution.slippage_bps', given: '2.5E1', source: { kind: 'env', name: 'TRADETRACE__EXECUTION__SLIPPAGE_BPS' } }),
      expect.objectContaining({ path: 'trading.max_open_positions', given: '1e1', source: { kind: 'env', name: 'TRADETRACE__TRADING__MAX_OPEN_POSITIONS' } }),
      expect.objectContaining({ path: 'trading.starting_quote_balance', given: '1e3', source: { kind: 'flag', flag: '--set trading.starting_quote_balance' } }),
    ]);
    expect(errors.map(formatProblem)[1]).toBe(
      'trading.max_open_positions: expected an integer from 1 to 100, as plain decimal text without an exponent, got "1e1" (from env TRADETRACE__TRADING__MAX_OPEN_POSITIONS)',
    );
    // The same text in a file is refused too; a native number is the parser's (YAML reads 1e1 as 10).
    expect(problems({ file: file('e.json', '{"trading":{"max_open_positions":"1e1"}}') })).toEqual([expect.objectContaining({ path: 'trading.max_open_positions', given: '1e1' })]);
    expect(ok({ file: file('e.yaml', 'trading:\n  max_open_positions: 1e1\n') }).config.trading.max_open_positions).toBe(10);
    // Plain decimal text still reads, and a bad value without an exponent keeps the plain wording.
    expect(ok({ env: { TRADETRACE__TRADING__MAX_OPEN_POSITIONS: ' 10 ', TRADETRACE__EXECUTION__SLIPPAGE_BPS: '.5' }, sets: ['trading.starting_quote_balance=1000.50'] }).config).toMatchObject({
      trading: { max_open_positions: 10 },
      execution: { slippage_bps: 0.5 },
    });
    expect(problems({ env: { TRADETRACE__TRADING__MAX_OPEN_POSITIONS: '1'.repeat(400) } })[0]).toMatchObject({ expected: 'an integer from 1 to 100' });
  });

  it('reports a bad value even when a later source overrides it', () => {
    const errors = problems({ env: { GLOBAL_TRADING: 'maybe' }, sets: ['trading.global_trading=true'] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'trading.global_trading', source: { kind: 'env' } });
  });

  it('treats unknown keys in a file, TRADETRACE__ env variables and --set as errors, suggesting the likely key', () => {
    const path = file('typo.json', '{"trading":{"global_tradng":false},"executon":{}}');
    const errors = problems({ file: path, env: { TRADETRACE__EXECUTION__SLIPAGE_BPS: '5', TRADETRACE_DATA_DIR: '/x', OTHER: '1' }, sets: ['exits.stop_loss=2'] });
    expect(errors).toEqual([
      { code: 'unknown_key', path: 'trading.global_tradng', source: { kind: 'file', file: path }, suggestion: 'trading.global_trading' },
      { code: 'unknown_key', path: 'executon', source: { kind: 'file', file: path }, suggestion: 'execution' },
      { code: 'unknown_key', path: 'TRADETRACE__EXECUTION__SLIPAGE_BPS', source: { kind: 'env', name: 'TRADETRACE__EXECUTION__SLIPAGE_BPS' }, suggestion: 'TRADETRACE__EXECUTION__SLIPPAGE_BPS' },
      { code: 'unknown_key', path: 'exits.stop_loss', source: { kind: 'flag', flag: '--set exits.stop_loss' }, suggestion: 'exits.stop_loss_pct' },
    ]);
  });

  it('says why a retired key is refused, wherever it is set, instead of suggesting a lookalike', () => {
    const path = file('old.json', '{"strategy":{"max_spread_bps":15}}');
    const errors = problems({ file: path, env: { TRADETRACE__STRATEGY__MAX_SPREAD_BPS: '5' }, sets: ['strategy.max_spread_bps=5'] });
    expect(errors.map((e) => [e.code, 'path' in e ? e.path : '', 'retired' in e && e.retired?.startsWith('it was never applied: candles carry no bid/ask')])).toEqual([
      ['unknown_key', 'strategy.max_spread_bps', true],
      ['unknown_key', 'TRADETRACE__STRATEGY__MAX_SPREAD_BPS', true],
      ['unknown_key', 'strategy.max_spread_bps', true],
    ]);
    expect(errors.map(formatProblem)[0]).toMatch(/^strategy\.max_spread_bps: no longer a config key \(from file .+old\.json\): it was never applied: .+; delete it$/);
  });

  it('reports cross-key rules with the value that broke them', () => {
    const errors = problems({ sets: ['strategy.ema_fast=30'] });
    expect(errors).toEqual([{ code: 'constraint', path: 'strategy.ema_fast', rule: 'ema_fast (30) must be less than ema_slow (21)', given: '30', source: { kind: 'flag', flag: '--set strategy.ema_fast' } }]);
  });

  it('refuses a market listed more than once in trading.symbols, from any source, naming each repeated symbol', () => {
    expect(problems({ sets: ['trading.symbols=BTC/USDT,BTC/USDT'] })).toEqual([
      { code: 'constraint', path: 'trading.symbols', rule: 'expected each market once; BTC/USDT is listed twice', given: 'BTC/USDT,BTC/USDT', source: { kind: 'flag', flag: '--set trading.symbols' } },
    ]);
    const [flagged] = problems({ flags: [{ path: 'trading.symbols', value: 'ETH/USDT,BTC/USDT, ETH/USDT,SOL/USDT,BTC/USDT,ETH/USDT', flag: '--synthetic' }] });
    expect(formatProblem(flagged as ConfigProblem)).toBe(
      'trading.symbols: expected each market once; ETH/USDT is listed 3 times, BTC/USDT is listed twice, got "ETH/USDT,BTC/USDT, ETH/USDT,SOL/USDT,BTC/USDT,ETH/USDT" (from flag --synthetic)',
    );
    const yaml = file('dup-symbols.yaml', 'trading:\n  symbols: [BTC/USDT, BTC/USDT]\n');
    expect(problems({ file: yaml })).toEqual([expect.objectContaining({ code: 'constraint', path: 'trading.symbols', source: { kind: 'file', file: yaml } })]);
    expect(problems({ env: { TRADETRACE__TRADING__SYMBOLS: 'BTC/USDT,BTC/USDT' } })).toEqual([expect.objectContaining({ path: 'trading.symbols', source: { kind: 'env', name: 'TRADETRACE__TRADING__SYMBOLS' } })]);
    // Only the effective list counts: a later source that fixes it wins.
    expect(ok({ env: { TRADETRACE__TRADING__SYMBOLS: 'BTC/USDT,BTC/USDT' }, sets: ['trading.symbols=BTC/USDT,ETH/USDT'] }).config.trading.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('reports unreadable files, syntax errors with their position, malformed --set and conflicting env names', () => {
    const missing = join(tempDir(), 'none.yaml');
    expect(problems({ file: missing })).toEqual([{ code: 'file_unreadable', file: missing, reason: 'no such file' }]);
    const yaml = file('broken.yaml', 'trading:\n  symbols: [BTC/USDT\n');
    const yamlProblem = problems({ file: yaml })[0];
    expect(yamlProblem).toMatchObject({ code: 'file_syntax', file: yaml, line: expect.any(Number) as number });
    expect(formatProblem(yamlProblem as ConfigProblem)).toMatch(/^config file .*broken\.yaml:\d+:\d+: invalid YAML: .*[^:]$/);
    const dup = file('dup.yaml', 'trading: {}\ntrading: {}\n');
    expect(problems({ file: dup })[0]).toMatchObject({ code: 'file_syntax', reason: expect.stringMatching(/unique/i) as string });
    const json = file('broken.json', '{"trading": }');
    expect(problems({ file: json })[0]).toMatchObject({ code: 'file_syntax', reason: expect.stringMatching(/^invalid JSON/) as string });
    expect(problems({ file: file('list.yaml', '- a\n') })[0]).toMatchObject({ code: 'file_syntax', reason: expect.stringMatching(/got a list/) as string });
    expect(problems({ sets: ['global_trading'] })).toEqual([{ code: 'malformed_flag', flag: '--set', given: 'global_trading', expected: 'section.key=value, e.g. --set execution.slippage_bps=25' }]);
    expect(problems({ env: { GLOBAL_TRADING: 'true', TRADETRACE__TRADING__GLOBAL_TRADING: 'false' } })).toEqual([
      { code: 'conflicting_env', path: 'trading.global_trading', names: ['GLOBAL_TRADING', 'TRADETRACE__TRADING__GLOBAL_TRADING'] },
    ]);
  });

  it('refuses a key repeated in a JSON file (JSON.parse would keep only the last), listing every repeat with its line', () => {
    const path = file('dup.json', '{"trading":{"global_trading":false},"trading":{"max_open_positions":2}}');
    expect(problems({ file: path })).toEqual([{ code: 'duplicate_key', file: path, path: 'trading', line: 1, column: 37, firstLine: 1 }]);
    expect(formatProblem(problems({ file: path })[0] as ConfigProblem)).toBe(
      `trading: key given more than once in config file ${path}:1:37 (first at line 1); JSON would silently keep only the last, so give it once`,
    );
    const nested = file('nested.json', '{\n  "trading": {\n    "symbols": ["ETH/USDT"],\n    "symbols": ["BTC/USDT"]\n  },\n  "exits": {"max_holding": "2h", "max_holding": "3h"},\n  "executon": {}\n}\n');
    expect(problems({ file: nested })).toEqual([
      { code: 'duplicate_key', file: nested, path: 'trading.symbols', line: 4, column: 5, firstLine: 3 },
      { code: 'duplicate_key', file: nested, path: 'exits.max_holding', line: 6, column: 34, firstLine: 6 },
      // The rest of the file is still checked, so one run shows every problem.
      { code: 'unknown_key', path: 'executon', source: { kind: 'file', file: nested }, suggestion: 'execution' },
    ]);
    // The same key in different sections is no repeat.
    expect(ok({ file: file('fine.json', '{"trading":{"symbols":["ETH/USDT"]},"strategy":{"name":"ema_rsi"},"exchange":{"name":"paper"}}') }).config.trading.symbols).toEqual(['ETH/USDT']);
  });

  it('shows a number too large for a double as the file wrote it, not as null (JSON.stringify(Infinity))', () => {
    const json = file('inf.json', '{"trading":{"max_open_positions":1e309},\n"execution":{"slippage_bps": -2E+400}}');
    const errors = problems({ file: json });
    expect(errors).toEqual([
      { code: 'invalid_value', path: 'trading.max_open_positions', expected: 'an integer from 1 to 100', given: Infinity, source: { kind: 'file', file: json }, written: '1e309 (too large for a number: it reads as Infinity)' },
      expect.objectContaining({ path: 'execution.slippage_bps', given: -Infinity, written: '-2E+400 (too large for a number: it reads as -Infinity)' }),
    ]);
    expect(formatProblem(errors[0] as ConfigProblem)).toBe(
      `trading.max_open_positions: expected an integer from 1 to 100, got 1e309 (too large for a number: it reads as Infinity) (from file ${json})`,
    );
    const yaml = file('inf.yaml', 'trading:\n  max_open_positions: .inf\n');
    expect(problems({ file: yaml }).map(formatProblem)).toEqual([`trading.max_open_positions: expected an integer from 1 to 100, got .inf (Infinity) (from file ${yaml})`]);
    // A repeated key: the value JSON.parse kept (the last) is the one shown.
    const dup = file('dup-inf.json', '{"trading":{"max_open_positions":1e400,"max_open_positions":1e309}}');
    expect(problems({ file: dup })).toContainEqual(expect.objectContaining({ path: 'trading.max_open_positions', written: '1e309 (too large for a number: it reads as Infinity)' }));
    expect(formatProblem({ code: 'invalid_value', path: 'a.b', expected: 'x', given: -Infinity, source: { kind: 'default' } })).toBe('a.b: expected x, got -Infinity (from default)');
  });

  it('never echoes a secret in a problem, and registers valid secrets so no log text can carry them', () => {
    const bad = problems({ sets: ['alerts.webhook_url=ftp://user:hunter2-token@example.com'] });
    expect(JSON.stringify(bad)).not.toContain('hunter2');
    const loaded = ok({ env: { TRADETRACE__EXCHANGE__API_KEY: 'AKIA-live-9f8e7d6c5b' } });
    expect(loaded.config.exchange.api_key).toBe('AKIA-live-9f8e7d6c5b');
    expect(sanitizeText('exchange said: bad key AKIA-live-9f8e7d6c5b')).toBe('exchange said: bad key [REDACTED]');
  });
});

describe('config problems never echo a secret, and a broken file is a problem, not a crash', () => {
  function shown(options: LoadConfigOptions): string {
    return problems(options).map(formatProblem).join('\n');
  }

  it('a malformed --set naming a secret key in any case or separator spelling hides its value', () => {
    for (const entry of ['EXCHANGE.API_KEY=UpperSetSecret777', 'exchange.api-key=UpperSetSecret777', 'Exchange.ApiSecret=UpperSetSecret777', 'ALERTS.WEBHOOK-URL=https://x.test/UpperSetSecret777', 'api_key=UpperSetSecret777', 'exchange.api_key:UpperSetSecret777']) {
      const text = shown({ sets: [entry] });
      expect(text, entry).not.toContain('UpperSetSecret777');
      expect(text).toContain('[REDACTED]');
    }
    expect(problems({ sets: ['EXCHANGE.API_KEY=UpperSetSecret777'] })).toEqual([
      { code: 'malformed_flag', flag: '--set', given: 'EXCHANGE.API_KEY=[REDACTED]', expected: 'section.key=value, e.g. --set execution.slippage_bps=25' },
    ]);
    // Other malformed settings are still shown as given, to help fix them.
    expect(shown({ sets: ['TRADING.GLOBAL_TRADING=true'] })).toContain('got "TRADING.GLOBAL_TRADING=true"');
  });

  it('a JSON syntax error gives its line:column and what was expected, never the text of the file', () => {
    const bare = file('bare.json', '{"exchange": {\n  "api_key": SuperSecretKey123XYZ}}');
    expect(problems({ file: bare })).toEqual([
      { code: 'file_syntax', file: bare, line: 2, column: 14, reason: 'invalid JSON: expected a value (a string in double quotes, a number, true, false, null, an object or a list); text must be in double quotes' },
    ]);
    const cases = ['{"exchange": {"api_secret": \'SingleQuotedSecret999\'}}', '{"exchange": {"api_key": "SecretNoEnd999', '{"exchange": {"api_key": "Secret\\qEsc999"}}', '{"exchange": {"api_key" "Secret999"}}', '{"exchange": {"api_key": "Secret999" "x": 1}}', '{"exchange": {"api_key": "Secret999"}} Secret999'];
    for (const text of cases) {
      const errors = problems({ file: file('bad.json', text) });
      expect(errors, text).toEqual([expect.objectContaining({ code: 'file_syntax', reason: expect.stringMatching(/^invalid JSON: expected /) as string, line: 1, column: expect.any(Number) as number })]);
      expect(formatProblem(errors[0] as ConfigProblem)).not.toMatch(/Secret/);
    }
  });

  it('YAML syntax errors, unresolved aliases and alias bombs are listed problems naming the file, without the text', () => {
    const yamls = [
      'exchange:\n  api_key: "YamlUnterminatedSecret555\n',
      'exchange:\n  api_key: YamlSecretAAA: bbb\n',
      'exchange:\n  api_key: "Yaml\\qEscSecret"\n',
      'exchange:\n  api_key: [YamlFlowSecret666\n',
      'exchange:\n  api_key: &a YamlAnchorSecret\n  api_secret: *YamlAliasSecret\n',
      'exchange: "api_key: YamlBodySecret1"\n',
      'exchange: [YamlListSecret1]\n',
    ];
    for (const text of yamls) {
      const path = file('bad.yaml', text);
      const lines = shown({ file: path });
      expect(lines, text).not.toMatch(/Yaml\w*Secret|Secret1/);
      expect(lines).toContain(path);
    }
    const alias = file('alias.yaml', 'exchange:\n  api_secret: *b\n');
    expect(problems({ file: alias })).toEqual([{ code: 'file_syntax', file: alias, line: 2, column: 15, reason: 'invalid YAML: Unresolved alias (the anchor must be set before the alias)' }]);
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const name of 'bcdefghi') levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(',')}]`);
    const bomb = file('bomb.yaml', `${levels.join('\n')}\n`);
    expect(problems({ file: bomb })).toEqual([{ code: 'file_syntax', file: bomb, reason: expect.stringMatching(/^invalid YAML: aliases expand beyond the limit/) as string }]);
    // A few aliases are fine.
    expect(ok({ file: file('ok.yaml', 'trading:\n  global_trading: &t false\ndashboard:\n  enable_live_dashboard: *t\n') }).config.dashboard.enable_live_dashboard).toBe(false);
  });

  it('two env names for one key conflict only when their parsed values differ', () => {
    expect(ok({ env: { GLOBAL_TRADING: '1', TRADETRACE__TRADING__GLOBAL_TRADING: 'true' } }).config.trading.global_trading).toBe(true);
    expect(ok({ env: { ENABLE_LIVE_DASHBOARD: '0', TRADETRACE__DASHBOARD__ENABLE_LIVE_DASHBOARD: 'false' } }).config.dashboard.enable_live_dashboard).toBe(false);
    expect(problems({ env: { GLOBAL_TRADING: '1', TRADETRACE__TRADING__GLOBAL_TRADING: 'false' } })).toEqual([
      { code: 'conflicting_env', path: 'trading.global_trading', names: ['GLOBAL_TRADING', 'TRADETRACE__TRADING__GLOBAL_TRADING'] },
    ]);
  });
});
