import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { writeManifest } from '../recorder/sessions/manifest.js';

/** A session's start lines stamped at `at`, and its manifest with the start `sequence` the bootstrap gives it. */
function session(dataDir: string, sessionId: string, at: string, slippageBps: number, hash: string, sequence: number): void {
  const recorder = new Recorder({ sessionId, sink: new FileSink(join(dataDir, 'logs')), now: () => Date.parse(at) });
  recorder.emit('CONFIG_HASH', { config_hash: hash, config: { execution: { slippage_bps: slippageBps } } });
  recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: 4242, host: 'elsewhere', data_dir: dataDir, config_hash: hash });
  recorder.emit('SESSION_END', { reason: 'duration_reached', exit_code: 0, duration_ms: 3000 });
  recorder.close();
  const dir = join(dataDir, 'sessions', sessionId);
  mkdirSync(dir, { recursive: true });
  writeManifest(dir, {
    session_id: sessionId, mode: 'paper', version: '0.1.0', pid: 1, host: 'h', argv: [], data_dir: dataDir, config_hash: hash, start: at,
    end: at, exit_reason: 'duration_reached', exit_code: 0, duration_ms: 3000, sequence,
  });
}

describe('queries after the wall clock was set back between two sessions', () => {
  // The first session ran while the clock was five years ahead; NTP then set it right.
  const dir = tempDir('tt-clock-set-back-');
  session(dir, 'session_20310615_120005', '2031-06-15T12:00:05.000Z', 20, 'aaaaaaaaaaaaaaaa', 1);
  session(dir, 'session_20261128_005656', '2026-11-28T00:56:56.000Z', 25, 'bbbbbbbbbbbbbbbb', 2);

  it('drift compares the sessions in the order they started (their sequence), not by their stamps', async () => {
    const r = await runQuery(['drift', '--data-dir', dir]);
    expect(r.stdout).toContain('drift aaaaaaaa -> bbbbbbbb: session_20310615_120005 -> session_20261128_005656 (1 changed path');
    expect(r.stdout).toContain('execution.slippage_bps: 20 -> 25');
  });

  it('health reports on the session that started last, not the one with the latest stamp', async () => {
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout.split('\n')[0]).toContain('session session_20261128_005656');
  });

  it('sessions lists them in the order they started', async () => {
    const r = await runQuery(['sessions', '--data-dir', dir]);
    const ids = r.stdout.split('\n').filter((l) => l.startsWith('  session_')).map((l) => l.trim().split(' ')[0]);
    expect(ids).toEqual(['session_20310615_120005', 'session_20261128_005656']);
  });
});
