import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { parseLine } from '../recorder/line-parser.js';
import { Recorder } from '../recorder/recorder.js';
import { auditConfig, configHashOf, emitConfigAudit, overridesRecord } from './audit.js';
import { SECRET_HASH_PREFIX, sha256Hex } from './audit-tree.js';
import { canonicalJson } from './canonical-json.js';
import { diffConfigs } from './config-diff.js';
import { formatProblem } from './config-problem.js';
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load-config.js';

function load(options: LoadConfigOptions): LoadedConfig {
  const result = loadConfig(options);
  if (!result.ok) throw new Error(result.errors.map(formatProblem).join('\n'));
  return result.value;
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function reorder(value: unknown, seed: number): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(shuffle(Object.entries(value), seed).map(([k, v]) => [k, reorder(v, seed + 7)]));
}

const settingsArb = fc.record(
  {
    trading: fc.record({ global_trading: fc.boolean(), max_open_positions: fc.integer({ min: 1, max: 100 }), symbols: fc.subarray(['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], { minLength: 1 }) }, { requiredKeys: [] }),
    execution: fc.record({ slippage_bps: fc.integer({ min: 0, max: 1000 }), tif: fc.constantFrom('IOC', 'FOK', 'GTC'), quote_budget: fc.constantFrom('50', '12.5', '100.25') }, { requiredKeys: [] }),
    runtime: fc.record({ heartbeat_interval: fc.constantFrom('30s', '1m', '90s', '1m30s') }, { requiredKeys: [] }),
    exchange: fc.record({ api_key: fc.constantFrom('key-aaaaaaaa', 'key-bbbbbbbb') }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('config hash', () => {
  it('never depends on key order, whitespace or file format (property)', () => {
    const dir = tempDir('tradetrace-hash-');
    let n = 0;
    fc.assert(
      fc.property(settingsArb, fc.integer(), fc.integer({ min: 0, max: 8 }), fc.boolean(), (settings, seed, indent, yaml) => {
        const baseline = join(dir, `base-${n}.json`);
        writeFileSync(baseline, JSON.stringify(settings));
        const variant = join(dir, `variant-${n++}.${yaml ? 'yaml' : 'json'}`);
        const reordered = reorder(settings, seed);
        writeFileSync(variant, yaml ? `\n\n${toYaml(reordered, { indent: Math.max(indent, 1) })}\n  \n` : `\n ${JSON.stringify(reordered, null, indent)}\n\n`);
        expect(auditConfig(load({ file: variant }).config).hash).toBe(auditConfig(load({ file: baseline }).config).hash);
      }),
      { numRuns: 60 },
    );
  });

  it('is the first 16 hex of sha256 over the canonical JSON, with secrets replaced by their own hash', () => {
    const audit = auditConfig(load({ env: { TRADETRACE__EXCHANGE__API_KEY: 'my-api-key-123' } }).config);
    expect(audit.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(audit.hash).toBe(sha256Hex(canonicalJson(audit.tree)).slice(0, 16));
    expect(audit.hash).toBe(configHashOf(audit.canonical));
    expect(audit.tree['exchange']?.['api_key']).toBe(SECRET_HASH_PREFIX + sha256Hex('my-api-key-123'));
    expect(audit.canonical).not.toContain('my-api-key-123');
    expect(audit.tree['runtime']?.['heartbeat_interval']).toBe('30s');
    // A changed secret changes the hash without being shown.
    expect(auditConfig(load({ env: { TRADETRACE__EXCHANGE__API_KEY: 'my-api-key-456' } }).config).hash).not.toBe(audit.hash);
    expect(auditConfig(load({}).config).hash).not.toBe(audit.hash);
  });
});

describe('config diff and overrides', () => {
  it('lists every changed path, secrets only as [changed]', () => {
    const before = auditConfig(load({ env: { TRADETRACE__EXCHANGE__API_KEY: 'first-key-1234' } }).config).tree;
    const after = auditConfig(load({ env: { GLOBAL_TRADING: 'false', TRADETRACE__EXCHANGE__API_KEY: 'second-key-5678' }, sets: ['runtime.heartbeat_interval=1m'] }).config).tree;
    const changes = diffConfigs(before, after);
    expect(changes).toEqual([
      { path: 'exchange.api_key', from: '[changed]', to: '[changed]' },
      { path: 'runtime.heartbeat_interval', from: '30s', to: '1m' },
      { path: 'trading.global_trading', from: true, to: false },
    ]);
    expect(diffConfigs(after, after)).toEqual([]);
    // A key that only one version of the schema knows shows null on the other side.
    expect(diffConfigs({ trading: { old_key: 1 } }, { trading: {} })).toEqual([{ path: 'trading.old_key', from: 1, to: null }]);
  });

  it("writes overrides in the spec's form: name -> \"value (from env|flag)\"", () => {
    const loaded = load({ env: { GLOBAL_TRADING: 'True', ENABLE_LIVE_DASHBOARD: '0', TRADETRACE__EXCHANGE__API_SECRET: 'shh-secret-999' }, sets: ['exits.max_holding=90m'] });
    expect(overridesRecord(loaded)).toEqual({
      ENABLE_LIVE_DASHBOARD: 'false (from env)',
      GLOBAL_TRADING: 'true (from env)',
      TRADETRACE__EXCHANGE__API_SECRET: '[REDACTED] (from env)',
      '--set exits.max_holding': '1h30m (from flag)',
    });
  });

  it('lists a flag that sets several keys once per key, and says when a later source replaced a value', () => {
    const loaded = load({
      env: { TRADETRACE__EXECUTION__SLIPPAGE_BPS: '10' },
      sets: ['execution.slippage_bps=25'],
      flags: [{ path: 'market_data.source', value: 'candles_file', flag: '--data' }, { path: 'trading.symbols', value: 'BTC/USD', flag: '--data' }],
    });
    expect(overridesRecord(loaded)).toEqual({
      TRADETRACE__EXECUTION__SLIPPAGE_BPS: '10 (from env; overridden by --set execution.slippage_bps)',
      '--set execution.slippage_bps': '25 (from flag)',
      '--data (market_data.source)': 'candles_file (from flag)',
      '--data (trading.symbols)': 'BTC/USD (from flag)',
    });
  });

  it('shows the replay speed 0 as the word the user gave (--speed max), with the same config and hash as 0', () => {
    const byWord = load({ flags: [{ path: 'market_data.speed', value: 'max', flag: '--speed' }] });
    expect(overridesRecord(byWord)).toEqual({ '--speed': 'max (from flag)' });
    expect(byWord.config.market_data.speed).toBe(0);
    const byNumber = load({ sets: ['market_data.speed=0'] });
    expect(overridesRecord(byNumber)).toEqual({ '--set market_data.speed': 'max (from flag)' });
    expect(auditConfig(byNumber.config).hash).toBe(auditConfig(byWord.config).hash);
    expect(load({ env: { TRADETRACE__MARKET_DATA__SPEED: ' MAX ' } }).config.market_data.speed).toBe(0);
    expect(overridesRecord(load({ sets: ['market_data.speed=60'] }))).toEqual({ '--set market_data.speed': '60 (from flag)' });
    expect(loadConfig({ sets: ['market_data.speed=fast'] })).toMatchObject({ ok: false, errors: [{ path: 'market_data.speed', expected: 'a number from 0 to 1000000 (or max, which is 0)' }] });
  });

  it('emits CONFIG_HASH, CONFIG_DIFF (with changes) and CONFIG_OVERRIDES as valid lines of logs/audit.jsonl', () => {
    const dir = tempDir('tradetrace-audit-');
    const previousLoaded = load({});
    const previousAudit = auditConfig(previousLoaded.config);
    const loaded = load({ env: { GLOBAL_TRADING: 'false' } });
    const audit = auditConfig(loaded.config);
    const recorder = new Recorder({ sessionId: 'session_20250101_000001', sink: new FileSink(join(dir, 'logs')) });
    const previous = { sessionId: 'session_20250101_000000', dir, configHash: previousAudit.hash, config: { ok: true as const, value: JSON.parse(JSON.stringify(previousAudit.tree)) as Record<string, unknown> } };
    const result = emitConfigAudit(recorder, loaded, audit, previous);
    recorder.close();
    // Each change says where its new value came from (here the spec's env alias), as CONFIG_HASH's sources do for every value not at its default.
    expect(result.drift?.changes).toEqual([{ path: 'trading.global_trading', from: true, to: false, source: 'env GLOBAL_TRADING' }]);
    const lines = readFileSync(join(dir, 'logs', 'audit.jsonl'), 'utf8').trim().split('\n').map((text) => {
      const parsed = parseLine(text, true);
      if (!parsed.ok) throw new Error(parsed.error.message);
      return parsed.value;
    });
    expect(lines.map((l) => l['event_type'])).toEqual(['CONFIG_HASH', 'CONFIG_DIFF', 'CONFIG_OVERRIDES']);
    expect(lines[0]).toMatchObject({ config_hash: audit.hash, session_id: 'session_20250101_000001' });
    expect(lines[1]).toMatchObject({
      message: `Config drift detected: ${previousAudit.hash.slice(0, 8)} -> ${audit.hash.slice(0, 8)}`,
      prev_hash: previousAudit.hash,
      current_hash: audit.hash,
      prev_session: 'session_20250101_000000',
    });
    expect(lines[2]).toMatchObject({ message: 'Configuration overrides detected: GLOBAL_TRADING', overrides: { GLOBAL_TRADING: 'false (from env)' } });
  });

  it('logs secrets as their hash in CONFIG_HASH (so the line recomputes config_hash), as [changed] in CONFIG_DIFF and as "[REDACTED] (from env|flag)" in CONFIG_OVERRIDES', () => {
    const dir = tempDir('tradetrace-audit-');
    const previousAudit = auditConfig(load({ env: { TRADETRACE__EXCHANGE__API_KEY: 'KeyNumberOne111' } }).config);
    const loaded = load({ env: { TRADETRACE__EXCHANGE__API_KEY: 'KeyNumberTwo222', TRADETRACE__EXCHANGE__API_SECRET: 'SecretNumber333' }, sets: ['alerts.webhook_url=https://hooks.example.com/abc123xyz'] });
    const audit = auditConfig(loaded.config);
    const recorder = new Recorder({ sessionId: 'session_20250101_000001', sink: new FileSink(join(dir, 'logs')) });
    // The previous snapshot as a reader gets it back from the CONFIG_HASH line of the log.
    const previous = { sessionId: 'session_20250101_000000', dir, configHash: previousAudit.hash, config: { ok: true as const, value: JSON.parse(JSON.stringify(previousAudit.tree)) as Record<string, unknown> } };
    emitConfigAudit(recorder, loaded, audit, previous);
    recorder.close();
    const text = readFileSync(join(dir, 'logs', 'audit.jsonl'), 'utf8');
    for (const secret of ['KeyNumberTwo222', 'SecretNumber333', 'abc123xyz']) expect(text).not.toContain(secret);
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const [hash, diff, overrides] = lines;
    expect(hash?.['config']).toEqual(JSON.parse(JSON.stringify(audit.tree)));
    expect(configHashOf(canonicalJson(hash?.['config']))).toBe(hash?.['config_hash']);
    expect((hash?.['config'] as Record<string, Record<string, unknown>>)['exchange']?.['api_key']).toBe(SECRET_HASH_PREFIX + sha256Hex('KeyNumberTwo222'));
    expect(diff?.['changes']).toEqual([
      { path: 'alerts.webhook_url', from: '[changed]', to: '[changed]', source: 'flag --set alerts.webhook_url' },
      { path: 'exchange.api_key', from: '[changed]', to: '[changed]', source: 'env TRADETRACE__EXCHANGE__API_KEY' },
      { path: 'exchange.api_secret', from: '[changed]', to: '[changed]', source: 'env TRADETRACE__EXCHANGE__API_SECRET' },
    ]);
    // The recorder masks whatever sits under a secret-looking key, a source too (drift then says nothing of it); CONFIG_DIFF's rows keep it.
    expect(hash?.['sources']).toEqual({
      'alerts.webhook_url': 'flag --set alerts.webhook_url',
      'exchange.api_key': '[REDACTED]',
      'exchange.api_secret': '[REDACTED]',
    });
    expect(overrides?.['overrides']).toEqual({
      TRADETRACE__EXCHANGE__API_KEY: '[REDACTED] (from env)',
      TRADETRACE__EXCHANGE__API_SECRET: '[REDACTED] (from env)',
      '--set alerts.webhook_url': '[REDACTED] (from flag)',
    });
  });

  it('writes no CONFIG_DIFF when the hash is unchanged and no CONFIG_OVERRIDES without overrides', () => {
    const dir = tempDir('tradetrace-audit-');
    const loaded = load({});
    const audit = auditConfig(loaded.config);
    const recorder = new Recorder({ sessionId: 'session_20250101_000001', sink: new FileSink(dir) });
    emitConfigAudit(recorder, loaded, audit, { sessionId: 'session_20250101_000000', dir, configHash: audit.hash, config: { ok: false, error: 'unused' } });
    recorder.close();
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
