import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeFileAtomic } from './atomic-write.js';
import { readManifest, writeManifest, type SessionManifest } from './manifest.js';
import { findPreviousSession } from './previous-session.js';
import { readConfigHash, writeSessionConfig } from './session-config-files.js';
import { createSessionDir } from './session-dir.js';
import { SessionError } from './session-error.js';
import { compareSessionIds } from './session-order.js';
import { nextSessionSequence } from './session-sequence.js';

const CHILD = resolve(import.meta.dirname, '__fixtures__/create-session-child.ts');
const INSTANT = new Date('2025-10-26T10:26:36.250Z');

interface Racer {
  readonly ready: Promise<void>;
  readonly id: Promise<string>;
}

function startChild(root: string, goFile: string): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, INSTANT.toISOString(), goFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady = (): void => {};
  const ready = new Promise<void>((resolveReady) => (onReady = resolveReady));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const id = new Promise<string>((resolveId, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveId(out.split('\n')[1] ?? '') : reject(new Error(`child exited ${code}: ${err}`))));
  });
  return { ready, id };
}

function manifest(sessionId: string): SessionManifest {
  return {
    session_id: sessionId, mode: 'demo', version: '0.1.0', pid: 1, host: 'h', argv: ['demo'], data_dir: '/d', config_hash: '0123456789abcdef',
    start: INSTANT.toISOString(), end: null, exit_reason: null, exit_code: null, duration_ms: null,
  };
}

describe('session directories', () => {
  it('names a session by its UTC second and gives later sessions in the same second _2, _3', () => {
    const root = join(tempDir('tradetrace-sessions-'), 'sessions');
    const ids = [1, 2, 3].map(() => createSessionDir(root, INSTANT).sessionId);
    expect(ids).toEqual(['session_20251026_102636', 'session_20251026_102636_2', 'session_20251026_102636_3']);
    expect(readdirSync(root).sort()).toEqual([...ids].sort());
  });

  it('never gives two processes racing in the same second the same id', async () => {
    const root = join(tempDir('tradetrace-sessions-'), 'sessions');
    const goFile = join(tempDir(), 'go');
    const racers = Array.from({ length: 4 }, () => startChild(root, goFile));
    await Promise.all(racers.map((r) => r.ready));
    writeFileSync(goFile, '');
    const ids = await Promise.all(racers.map((r) => r.id));
    expect(new Set(ids).size).toBe(4);
    expect(readdirSync(root).sort()).toEqual([...ids].sort());
  });

  it('fails with a typed error when the sessions directory cannot be created', () => {
    const base = tempDir('tradetrace-sessions-');
    writeFileSync(join(base, 'not-a-dir'), '');
    expect(() => createSessionDir(join(base, 'not-a-dir', 'sessions'), INSTANT)).toThrow(SessionError);
    try {
      createSessionDir(join(base, 'not-a-dir', 'sessions'), INSTANT);
    } catch (error) {
      expect(error).toMatchObject({ code: 'create_failed', retryable: false });
    }
  });
});

describe('session files', () => {
  it('writes and rewrites the manifest atomically, leaving no temp files', () => {
    const { dir } = createSessionDir(join(tempDir(), 'sessions'), INSTANT);
    writeManifest(dir, manifest('session_20251026_102636'));
    writeManifest(dir, { ...manifest('session_20251026_102636'), end: '2025-10-26T10:30:00.000Z', exit_reason: 'completed', exit_code: 0, duration_ms: 203_750 });
    const read = readManifest(dir);
    expect(read).toEqual({ ok: true, value: expect.objectContaining({ exit_reason: 'completed', exit_code: 0 }) as unknown });
    expect(readdirSync(dir)).toEqual(['manifest.json']);
  });

  it('reports a corrupt manifest instead of trusting it', () => {
    const { dir } = createSessionDir(join(tempDir(), 'sessions'), INSTANT);
    writeFileSync(join(dir, 'manifest.json'), '{"session_id": 3}');
    const read = readManifest(dir);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error.message).toMatch(/session_id/);
  });

  it('fails with a typed error and leaves no temp file when the write or the rename fails', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    expect(() => writeFileAtomic(join(dir, 'file', 'x.json'), '{}')).toThrow(SessionError);
    // A directory in the target's place makes the rename fail after the temp file was written.
    mkdirSync(join(dir, 'manifest.json'));
    expect(() => writeFileAtomic(join(dir, 'manifest.json'), '{}')).toThrow(/cannot write .*manifest\.json/);
    expect(readdirSync(dir).sort()).toEqual(['file', 'manifest.json']);
  });

  it('keeps config_hash.txt and config.json side by side', () => {
    const { dir } = createSessionDir(join(tempDir(), 'sessions'), INSTANT);
    writeSessionConfig(dir, 'a1b2c3d4e5f6a7b8', { trading: { global_trading: true } });
    expect(readFileSync(join(dir, 'config_hash.txt'), 'utf8')).toBe('a1b2c3d4e5f6a7b8\n');
    expect(readConfigHash(dir)).toBe('a1b2c3d4e5f6a7b8');
    writeFileSync(join(dir, 'config_hash.txt'), 'not a hash');
    expect(readConfigHash(dir)).toBeUndefined();
  });
});

describe('previous session', () => {
  it('orders same-second sessions by attempt number, not string order', () => {
    const ids = ['session_20251026_102636_10', 'session_20251026_102637', 'session_20251026_102636', 'session_20251026_102636_2'];
    expect([...ids].sort(compareSessionIds)).toEqual(['session_20251026_102636', 'session_20251026_102636_2', 'session_20251026_102636_10', 'session_20251026_102637']);
  });

  it('is the latest earlier session with a recorded hash, passing over later and incomplete ones', () => {
    const root = join(tempDir(), 'sessions');
    const make = (id: string, hash?: string): void => {
      mkdirSync(join(root, id), { recursive: true });
      if (hash) writeSessionConfig(join(root, id), hash, { trading: { global_trading: hash.startsWith('a') } });
    };
    make('session_20251026_090000', 'aaaaaaaaaaaaaaaa');
    make('session_20251026_100000_2', 'bbbbbbbbbbbbbbbb');
    make('session_20251026_100000_10'); // crashed before writing its hash
    make('session_20251026_110000', 'cccccccccccccccc'); // started after the current one
    mkdirSync(join(root, 'not-a-session'));
    const previous = findPreviousSession(root, 'session_20251026_100000_11');
    expect(previous).toMatchObject({ sessionId: 'session_20251026_100000_2', configHash: 'bbbbbbbbbbbbbbbb', config: { ok: true, value: { trading: { global_trading: false } } } });
    expect(findPreviousSession(root, 'session_20251026_090000')).toBeUndefined();
    expect(findPreviousSession(join(root, 'missing'), 'session_20251026_090000')).toBeUndefined();
  });

  it('still returns the hash when config.json is unreadable, with the reason', () => {
    const root = join(tempDir(), 'sessions');
    const { dir } = createSessionDir(root, INSTANT);
    writeSessionConfig(dir, 'aaaaaaaaaaaaaaaa', {});
    writeFileSync(join(dir, 'config.json'), '{not json');
    const previous = findPreviousSession(root, 'session_20251026_102637');
    expect(previous?.configHash).toBe('aaaaaaaaaaaaaaaa');
    expect(previous?.config).toMatchObject({ ok: false, error: expect.stringContaining('config.json') as string });
    expect(existsSync(join(dir, 'config_hash.txt'))).toBe(true);
  });
});

describe('previous session across a wall clock set back (start sequence)', () => {
  /** A session directory as the bootstrap leaves it: hash, config and a manifest with `sequence` (or none, as before sequences). */
  function session(root: string, id: string, hash: string, sequence: number | undefined, exit: SessionManifest['exit_reason'] = 'duration_reached'): void {
    const dir = join(root, id);
    mkdirSync(dir, { recursive: true });
    writeSessionConfig(dir, hash, { hash });
    writeManifest(dir, {
      session_id: id, mode: 'paper', version: '0.1.0', pid: 1, host: 'h', argv: [], data_dir: '/d', config_hash: hash, start: '2026-01-01T00:00:00.000Z',
      end: exit === null ? null : '2026-01-01T00:01:00.000Z', exit_reason: exit, exit_code: exit === null ? null : 0, duration_ms: 60_000, ...(sequence === undefined ? {} : { sequence }),
    });
  }

  it('is the session that started last before this one, though its id (stamped by a clock running ahead) sorts after', () => {
    const root = join(tempDir(), 'sessions');
    session(root, 'session_20251026_090000', 'aaaaaaaaaaaaaaaa', undefined);
    // The host booted with its clock five years ahead; NTP then set it right.
    session(root, 'session_20310615_120000', 'bbbbbbbbbbbbbbbb', nextSessionSequence(root, 'session_20310615_120000'));
    session(root, 'session_20251026_100000', 'cccccccccccccccc', nextSessionSequence(root, 'session_20251026_100000'), null);
    expect(nextSessionSequence(root, 'session_20251026_100000')).toBe(2);
    expect(findPreviousSession(root, 'session_20251026_100000')?.sessionId).toBe('session_20310615_120000');
    // A session started after this one (a concurrent process) is never its previous one, whatever its id.
    session(root, 'session_20251026_095959', 'dddddddddddddddd', 3);
    expect(findPreviousSession(root, 'session_20251026_100000')?.sessionId).toBe('session_20310615_120000');
    expect(findPreviousSession(root, 'session_20251026_095959')?.sessionId).toBe('session_20251026_100000');
  });

  it('numbers the first session of a data directory 1, and after sessions written before sequences existed, 1 too', () => {
    const root = join(tempDir(), 'sessions');
    expect(nextSessionSequence(root, 'session_20251026_090000')).toBe(1);
    session(root, 'session_20251026_090000', 'aaaaaaaaaaaaaaaa', undefined);
    expect(nextSessionSequence(root, 'session_20251026_100000')).toBe(1);
    session(root, 'session_20251026_100000', 'bbbbbbbbbbbbbbbb', 1);
    expect(nextSessionSequence(root, 'session_20251026_110000')).toBe(2);
    // An older session without a sequence came before every one that has one.
    expect(findPreviousSession(root, 'session_20251026_100000')?.sessionId).toBe('session_20251026_090000');
  });
});
