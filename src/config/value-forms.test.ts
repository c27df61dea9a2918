import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { auditConfig } from './audit.js';
import { formatProblem } from './config-problem.js';
import { loadConfig, type LoadConfigOptions } from './load-config.js';

function file(name: string, text: string): string {
  const path = join(tempDir('tradetrace-forms-'), name);
  writeFileSync(path, text);
  return path;
}

function refusal(options: LoadConfigOptions): string[] {
  const result = loadConfig(options);
  return result.ok ? [] : result.errors.map(formatProblem);
}

const HASH = `sha256:${'3f'.repeat(32)}`;
const HINT = 'this is how snapshots show a secret, not the secret itself; give the secret';

describe('a secret given as a snapshot shows it', () => {
  it('refuses the sha256 a snapshot holds and the [REDACTED] marker, from a file, env and --set, naming the key', () => {
    const path = file('reused.json', JSON.stringify({ exchange: { api_key: HASH, api_secret: '[REDACTED]' } }));
    expect(refusal({ file: path })).toEqual([
      `exchange.api_key: got "sha256:3f3f3f3f…" (from file ${path}): ${HINT} (env TRADETRACE__EXCHANGE__API_KEY, or in the config file), or leave the key out for none`,
      `exchange.api_secret: got "[REDACTED]" (from file ${path}): ${HINT} (env TRADETRACE__EXCHANGE__API_SECRET, or in the config file), or leave the key out for none`,
    ]);
    expect(refusal({ env: { TRADETRACE__ALERTS__WEBHOOK_URL: ` ${HASH.toUpperCase().replace('SHA256', 'sha256')}\r` } })[0]).toContain(`alerts.webhook_url: got "sha256:3F3F3F3F…" (from env TRADETRACE__ALERTS__WEBHOOK_URL): ${HINT}`);
    expect(refusal({ sets: ['exchange.api_key=[REDACTED]'] })[0]).toContain(`exchange.api_key: got "[REDACTED]" (from flag --set exchange.api_key): ${HINT}`);
  });

  it('still takes a real secret, and a non-secret key whose text merely looks like a hash', () => {
    const result = loadConfig({ env: { TRADETRACE__EXCHANGE__API_KEY: `sha256:${'3f'.repeat(31)}` }, sets: [`market_data.candles_file=${HASH}`] });
    expect(result.ok && result.value.config.exchange.api_key).toBe(`sha256:${'3f'.repeat(31)}`);
  });
});

describe('values written in a form the key reads', () => {
  it('takes a native 1 and 0 in a file as a boolean, as the text "1" and "0" are, and no other number', () => {
    const yaml = loadConfig({ file: file('b.yaml', 'trading:\n  global_trading: 0\ndashboard:\n  enable_live_dashboard: 1\n') });
    expect(yaml.ok && [yaml.value.config.trading.global_trading, yaml.value.config.dashboard.enable_live_dashboard]).toEqual([false, true]);
    const json = loadConfig({ file: file('b.json', '{"trading":{"global_trading":0}}') });
    expect(json.ok && json.value.config.trading.global_trading).toBe(false);
    const two = file('two.json', '{"trading":{"global_trading":2}}');
    expect(refusal({ file: two })).toEqual([`trading.global_trading: expected a boolean (true/false, 1/0, yes/no, on/off), got 2 (from file ${two})`]);
  });

  it('trims a secret as every other value is: a CRLF env file gives the same key and the same hash', () => {
    const plain = loadConfig({ env: { TRADETRACE__EXCHANGE__API_KEY: 'k3y-abcdef' } });
    const crlf = loadConfig({ env: { TRADETRACE__EXCHANGE__API_KEY: 'k3y-abcdef\r' } });
    if (!plain.ok || !crlf.ok) throw new Error('expected both to load');
    expect(crlf.value.config.exchange.api_key).toBe('k3y-abcdef');
    expect(auditConfig(crlf.value.config).hash).toBe(auditConfig(plain.value.config).hash);
    const blank = loadConfig({ env: { TRADETRACE__EXCHANGE__API_SECRET: ' \r' } });
    expect(blank.ok && blank.value.config.exchange.api_secret).toBeUndefined();
  });

  it('escapes an invisible character in an unknown key, so it is not refused as, to the eye, the key it suggests', () => {
    const path = file('zw.yaml', 'trading:\n  global_trading\u200b: false\n');
    expect(refusal({ file: path })).toEqual([`trading.global_trading\\u200b: unknown config key (from file ${path}); did you mean trading.global_trading?`]);
    expect(refusal({ env: { 'TRADETRACE__TRADING__GLOBAL_TRADING\u00a0': 'false' } })).toEqual([
      'TRADETRACE__TRADING__GLOBAL_TRADING\\u00a0: unknown config key (from env TRADETRACE__TRADING__GLOBAL_TRADING\\u00a0); did you mean TRADETRACE__TRADING__GLOBAL_TRADING?',
    ]);
  });
});
