import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeManifest, type SessionManifest } from './manifest.js';
import { findPreviousSession } from './previous-session.js';
import { writeSessionConfig } from './session-config-files.js';

type Mode = SessionManifest['mode'];

/** A session's audit lines as the bot writes them: CONFIG_HASH, SESSION_START, then SESSION_END. */
function auditLines(id: string, hash: string, mode: Mode, config: Record<string, unknown>, reason = 'duration_reached'): string {
  let seq = 0;
  const line = (event_type: string, level: string, fields: Record<string, unknown>): string =>
    `${JSON.stringify({ ts: '2026-11-28T10:00:00.000Z', level, event_type, session_id: id, seq: ++seq, ...fields })}\n`;
  return (
    line('CONFIG_HASH', 'info', { config_hash: hash, config }) +
    line('SESSION_START', 'info', { mode, version: '0.1.0', pid: 1, host: 'h', data_dir: '/d', config_hash: hash }) +
    line('SESSION_END', 'info', { reason, exit_code: 0, duration_ms: 1000 })
  );
}

/** A session directory as the bootstrap leaves it: hash, config and manifest. */
function sessionDir(root: string, id: string, hash: string, mode: Mode, sequence: number, config: Record<string, unknown>): void {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  writeSessionConfig(dir, hash, config);
  writeManifest(dir, {
    session_id: id, mode, version: '0.1.0', pid: 1, host: 'h', argv: [], data_dir: '/d', config_hash: hash, start: '2026-11-28T10:00:00.000Z',
    end: null, exit_reason: null, exit_code: null, duration_ms: null, sequence,
  });
}

function dataDir(): { sessions: string; logs: string } {
  const dir = tempDir('tt-prev-logged-');
  const sessions = join(dir, 'sessions');
  const logs = join(dir, 'logs');
  mkdirSync(sessions, { recursive: true });
  mkdirSync(logs, { recursive: true });
  return { sessions, logs };
}

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccc';
const D = 'dddddddddddddddd';
const NOW = 'session_20261128_120000';

describe('previous session from the audit log when sessions/ lost it', () => {
  it('is the last CONFIG_HASH of the log after `rm -rf sessions`, its config from that line', () => {
    const { sessions, logs } = dataDir();
    writeFileSync(join(logs, 'audit.jsonl'), auditLines('session_20261128_100000', A, 'paper', { execution: { slippage_bps: 20 } }));
    rmSync(sessions, { recursive: true });
    sessionDir(sessions, NOW, B, 'paper', 1, {});
    const previous = findPreviousSession(sessions, NOW);
    expect(previous).toMatchObject({ sessionId: 'session_20261128_100000', configHash: A, config: { ok: true, value: { execution: { slippage_bps: 20 } } }, loggedIn: join(logs, 'audit.jsonl') });
  });

  it('reads rotated and gzipped audit files, passing over refused sessions and other modes', () => {
    const { sessions, logs } = dataDir();
    writeFileSync(join(logs, 'audit.20261128T090000000Z.jsonl.gz'), gzipSync(auditLines('session_20261128_080000', A, 'paper', { x: 1 })));
    writeFileSync(join(logs, 'audit.20261128T100000000Z.jsonl'), auditLines('session_20261128_090000', B, 'demo', { x: 2 }));
    writeFileSync(join(logs, 'audit.jsonl'), auditLines('session_20261128_100000', C, 'paper', { x: 3 }, 'refused'));
    sessionDir(sessions, NOW, D, 'paper', 1, {});
    expect(findPreviousSession(sessions, NOW)).toMatchObject({ sessionId: 'session_20261128_080000', configHash: A, config: { ok: true, value: { x: 1 } } });
  });

  it('is the later session the log shows when sessions/ holds only an older one; sessions/ decides when it holds the latest', () => {
    const { sessions, logs } = dataDir();
    sessionDir(sessions, 'session_20261128_080000', A, 'paper', 1, { x: 1 });
    writeFileSync(join(logs, 'audit.jsonl'), auditLines('session_20261128_080000', A, 'paper', { x: 1 }) + auditLines('session_20261128_090000', B, 'paper', { x: 2 }));
    sessionDir(sessions, NOW, D, 'paper', 3, {});
    expect(findPreviousSession(sessions, NOW)).toMatchObject({ sessionId: 'session_20261128_090000', configHash: B });

    // Its config_hash.txt damaged: the log still holds its config.
    sessionDir(sessions, 'session_20261128_090000', B, 'paper', 2, { x: 2 });
    writeFileSync(join(sessions, 'session_20261128_090000', 'config_hash.txt'), 'garbage\n');
    expect(findPreviousSession(sessions, NOW)).toMatchObject({ sessionId: 'session_20261128_090000', configHash: B, config: { ok: true, value: { x: 2 } } });

    // Whole again: found in sessions/, as before.
    sessionDir(sessions, 'session_20261128_090000', B, 'paper', 2, { x: 2 });
    const previous = findPreviousSession(sessions, NOW);
    expect(previous?.sessionId).toBe('session_20261128_090000');
    expect(previous?.loggedIn).toBeUndefined();
  });
});

describe('previous session is one of the same mode', () => {
  it('passes over a demo session for a paper one (and the demo compares with the last demo)', () => {
    const { sessions, logs } = dataDir();
    sessionDir(sessions, 'session_20261128_080000', A, 'paper', 1, { market_data: { speed: 0 } });
    sessionDir(sessions, 'session_20261128_090000', B, 'demo', 2, { market_data: { speed: 1 } });
    writeFileSync(join(logs, 'audit.jsonl'), auditLines('session_20261128_080000', A, 'paper', {}) + auditLines('session_20261128_090000', B, 'demo', {}));
    sessionDir(sessions, NOW, C, 'paper', 3, {});
    expect(findPreviousSession(sessions, NOW)?.sessionId).toBe('session_20261128_080000');
    sessionDir(sessions, 'session_20261128_130000', D, 'demo', 4, {});
    expect(findPreviousSession(sessions, 'session_20261128_130000')?.sessionId).toBe('session_20261128_090000');
  });
});
