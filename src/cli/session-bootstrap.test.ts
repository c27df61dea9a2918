import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { auditConfig } from '../config/audit.js';
import { parseLine } from '../recorder/line-parser.js';
import { readManifest } from '../recorder/sessions/manifest.js';
import type { CliIo } from './command.js';
import { resolveDataDir, startSession, type StartSessionOptions } from './session-bootstrap.js';

function io(env: NodeJS.ProcessEnv = {}, cwd = tempDir('tradetrace-boot-')): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, env, cwd, out: () => out, err: () => err };
}

function lines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(`${parsed.error.message}: ${text}`);
    return parsed.value;
  });
}

function options(cliIo: CliIo, flags: StartSessionOptions['flags'] = {}): StartSessionOptions {
  return { mode: 'demo', argv: ['demo'], io: cliIo, flags, processHooks: false };
}

describe('startSession', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves the data dir from --data-dir, then TRADETRACE_DATA_DIR, then ./data under cwd', () => {
    expect(resolveDataDir({ dataDir: 'x' }, io({ TRADETRACE_DATA_DIR: '/y' }, '/w'))).toBe('/w/x');
    expect(resolveDataDir({}, io({ TRADETRACE_DATA_DIR: '/y' }, '/w'))).toBe('/y');
    expect(resolveDataDir({}, io({}, '/w'))).toBe('/w/data');
  });

  it('creates the session, writes its files and the startup audit trail, and ends it', async () => {
    const cli = io({ GLOBAL_TRADING: 'false' });
    const started = await startSession(options(cli));
    if (!started.ok) throw new Error(cli.err());
    const session = started.value;
    const { paths } = session;
    expect(paths.dataDir).toBe(join(cli.cwd, 'data'));
    expect(paths.sessionDir).toBe(join(paths.dataDir, 'sessions', session.sessionId));
    expect(readFileSync(join(paths.sessionDir, 'config_hash.txt'), 'utf8').trim()).toBe(session.configHash);
    expect(JSON.parse(readFileSync(join(paths.sessionDir, 'config.json'), 'utf8'))).toEqual(auditConfig(session.config).tree);
    const running = readManifest(paths.sessionDir);
    expect(running.ok && running.value).toMatchObject({ session_id: session.sessionId, mode: 'demo', pid: process.pid, end: null, exit_reason: null, config_hash: session.configHash });

    expect(session.endSession('completed', 0, { decisions: 0 })).toBe(0);
    expect(session.endSession('error', 1)).toBe(0);
    const audit = lines(join(paths.logsDir, 'audit.jsonl'));
    expect(audit.map((l) => l['event_type'])).toEqual(['CONFIG_HASH', 'CONFIG_OVERRIDES', 'SESSION_START', 'SESSION_END']);
    expect(audit.every((l) => l['session_id'] === session.sessionId)).toBe(true);
    expect(audit[2]).toMatchObject({ mode: 'demo', config_hash: session.configHash, data_dir: paths.dataDir, argv: ['demo'] });
    expect(audit[3]).toMatchObject({ reason: 'completed', exit_code: 0, summary: { decisions: 0 } });
    const ended = readManifest(paths.sessionDir);
    expect(ended.ok && ended.value).toMatchObject({ exit_reason: 'completed', exit_code: 0, end: expect.any(String) as string });
  });

  it('measures the session on a monotonic clock: a wall clock stepped back an hour mid-session gives no negative duration', async () => {
    const cli = io();
    const started = await startSession(options(cli));
    if (!started.ok) throw new Error(cli.err());
    const { paths, sessionId } = started.value;
    const startMs = Date.now();
    // The wall clock (and only it) goes back an hour, as an NTP step or a resumed VM does.
    vi.useFakeTimers({ toFake: ['Date'], now: startMs - 3_600_000 });
    started.value.endSession('completed', 0);
    const end = lines(join(paths.logsDir, 'audit.jsonl')).find((l) => l['event_type'] === 'SESSION_END');
    expect(end?.['duration_ms']).toBeGreaterThanOrEqual(0);
    expect(end?.['duration_ms']).toBeLessThan(60_000);
    const manifest = readManifest(join(paths.sessionsDir, sessionId));
    if (!manifest.ok) throw new Error(`manifest of ${sessionId} unreadable`);
    expect(manifest.value.duration_ms).toBe(end?.['duration_ms']);
    // The timestamps stay wall clock, stepped as it is: only durations are monotonic.
    expect(manifest.value.end).toBe(new Date(startMs - 3_600_000).toISOString());
  });

  it('keeps secrets given on the command line out of the manifest and SESSION_START, however short', async () => {
    const cli = io();
    // 'k3y': too short to be registered as a known secret, so only the config's list of secret keys can catch it.
    const sets = ['exchange.api_key=k3y', 'exchange.api_secret=s3cr3t-value-123'];
    const argv = ['demo', '--set', sets[0] ?? '', `--set=${sets[1] ?? ''}`, '--data-dir', 'data'];
    const started = await startSession({ ...options(cli, { set: sets }), argv });
    if (!started.ok) throw new Error(cli.err());
    started.value.endSession('completed', 0);
    const redacted = ['demo', '--set', 'exchange.api_key=[REDACTED]', '--set=exchange.api_secret=[REDACTED]', '--data-dir', 'data'];
    const manifest = readManifest(started.value.paths.sessionDir);
    expect(manifest.ok && manifest.value.argv).toEqual(redacted);
    expect(lines(join(started.value.paths.logsDir, 'audit.jsonl')).find((l) => l['event_type'] === 'SESSION_START')?.['argv']).toEqual(redacted);
    const files = spawnSync('grep', ['-rlE', 'k3y|s3cr3t-value-123', started.value.paths.dataDir], { encoding: 'utf8' });
    expect(files.stdout, 'files holding a secret').toBe('');
  });

  it('compares with the previous session and writes CONFIG_DIFF only when the config changed', async () => {
    const cwd = tempDir('tradetrace-boot-');
    const first = await startSession(options(io({}, cwd)));
    if (!first.ok) throw new Error('first session did not start');
    first.value.endSession('completed', 0);
    const same = await startSession(options(io({}, cwd)));
    if (!same.ok) throw new Error('second session did not start');
    same.value.endSession('completed', 0);
    expect(same.value.drift).toBeUndefined();
    const changed = await startSession(options(io({}, cwd), { set: ['exits.stop_loss_pct=2.5'] }));
    if (!changed.ok) throw new Error('third session did not start');
    changed.value.endSession('completed', 0);
    expect(changed.value.drift?.previous.sessionId).toBe(same.value.sessionId);
    expect(changed.value.drift?.changes).toEqual([{ path: 'exits.stop_loss_pct', from: '1', to: '2.5', source: 'flag --set exits.stop_loss_pct' }]);
    const diffs = lines(join(cwd, 'data', 'logs', 'audit.jsonl')).filter((l) => l['event_type'] === 'CONFIG_DIFF');
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ session_id: changed.value.sessionId, prev_session: same.value.sessionId });
  });

  it('exits 2 on invalid config with every problem and creates nothing', async () => {
    const cli = io({ GLOBAL_TRADING: 'perhaps', TRADETRACE__EXITS__STOP_LOS_PCT: '1' });
    const started = await startSession(options(cli, { set: ['execution.tif=DAY'] }));
    expect(started).toEqual({ ok: false, exitCode: 2 });
    expect(cli.err()).toMatch(/invalid config \(3 problems\); nothing started/);
    expect(cli.err()).toContain('trading.global_trading: expected a boolean');
    expect(cli.err()).toContain('TRADETRACE__EXITS__STOP_LOS_PCT: unknown config key');
    expect(cli.err()).toContain('execution.tif: expected one of IOC, FOK, GTC, got "DAY" (from flag --set execution.tif)');
    expect(readdirSync(cli.cwd)).toEqual([]);
  });

  it('refuses to start (exit 1) when the data dir cannot be written', async () => {
    const cli = io();
    writeFileSync(join(cli.cwd, 'blocked'), '');
    const started = await startSession(options(cli, { dataDir: 'blocked' }));
    expect(started).toEqual({ ok: false, exitCode: 1 });
    expect(cli.err()).toMatch(/cannot write the session record under .*blocked.*\n.*must not trade/);
  });

  it('refuses to start (exit 1) when the logs cannot be written, and records why in the manifest', async () => {
    const cli = io();
    mkdirSync(join(cli.cwd, 'data'));
    writeFileSync(join(cli.cwd, 'data', 'logs'), 'a file where the logs directory should be');
    const started = await startSession(options(cli));
    expect(started).toEqual({ ok: false, exitCode: 1 });
    expect(cli.err()).toMatch(/cannot write the flight record in .*logs/);
    const [sessionId] = readdirSync(join(cli.cwd, 'data', 'sessions'));
    const manifest = readManifest(join(cli.cwd, 'data', 'sessions', sessionId ?? ''));
    expect(manifest.ok && manifest.value).toMatchObject({ exit_reason: 'refused', exit_code: 1 });
  });

  it('ends the session as fatal when an uncaught error kills the process', () => {
    const dataDir = join(tempDir('tradetrace-boot-'), 'data');
    const result = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '__fixtures__/fatal-session.ts'), dataDir], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(lines(join(dataDir, 'logs', 'system.jsonl')).map((l) => [l['event_type'], l['error_code'] ?? l['message']])).toEqual([['LOG', 'about to fail'], ['FATAL', 'E_ENGINE']]);
    const end = lines(join(dataDir, 'logs', 'audit.jsonl')).at(-1);
    expect(end).toMatchObject({ event_type: 'SESSION_END', reason: 'fatal', exit_code: 1, error_code: 'E_ENGINE' });
    expect(end?.['message']).toBe('engine exploded');
    const [sessionId] = readdirSync(join(dataDir, 'sessions'));
    const manifest = readManifest(join(dataDir, 'sessions', sessionId ?? ''));
    expect(manifest.ok && manifest.value).toMatchObject({ exit_reason: 'fatal', exit_code: 1 });
  });
});
