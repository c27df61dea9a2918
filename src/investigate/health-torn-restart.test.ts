import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// health said "DIED mid-write: ... decisions.jsonl:N ends in a torn line" for a session killed
// mid-write, and "NO CLEAN END: ... died without a trace" for the same session once a new one had
// started in the same data directory (its lines follow the torn one, which is no longer the file's
// tail), while every command still reported line N as unreadable.

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid ?? 0;
}

/** A session killed mid-write (its last decision line cut at `keep` bytes), then a later session. */
function killedThenRestarted(keep: number): { dir: string; line: number } {
  const dir = tempDir('tt-health-torn-restart-');
  const killed = new SessionWriter({ dataDir: dir, sessionId: 'session_20251027_080000', start: new Date('2025-10-27T08:00:00.000Z'), config: BASE_CONFIG, process: { pid: deadPid(), host: hostname() } });
  for (let i = 0; i < 20; i++) killed.tick(60_000).noSignal('BTC/USDT', '45000');
  killed.abandon();
  const decisions = join(dir, 'logs', 'decisions.jsonl');
  const lines = readFileSync(decisions, 'utf8').split('\n');
  appendFileSync(decisions, (lines[lines.length - 2] ?? '').slice(0, keep));
  const line = lines.length;
  const later = new SessionWriter({ dataDir: dir, sessionId: 'session_20251027_090000', start: new Date('2025-10-27T09:00:00.000Z'), config: BASE_CONFIG });
  for (let i = 0; i < 5; i++) later.tick(60_000).noSignal('BTC/USDT', '45100');
  later.tick(1000).end('signal', 0);
  expect(readFileSync(decisions, 'utf8').split('\n')[line - 1]?.includes('session_20251027_090000')).toBe(false);
  return { dir, line };
}

describe('health --session of a session killed mid-write, after a restart', () => {
  it('still says DIED mid-write and names the torn line, as before the restart', async () => {
    const { dir, line } = killedThenRestarted(150);
    const r = await runQuery(['health', '--session', 'session_20251027_080000', '--data-dir', dir]);
    expect(r.stdout).toContain(`DIED mid-write: no SESSION_END or SHUTDOWN_COMPLETE, and decisions.jsonl:${line} ends in a torn line`);
    expect(r.stdout).not.toContain('NO CLEAN END');
    expect(r.stderr).toBe(`skipped 1 unreadable line in decisions.jsonl (line ${line})\n`);
    // The later session is not touched by it.
    const latest = await runQuery(['health', '--data-dir', dir]);
    expect(latest.stdout).toContain('ENDED CLEANLY');
  });

  it('also when the line was cut before its session_id', async () => {
    const { dir, line } = killedThenRestarted(20);
    const r = await runQuery(['health', '--session', 'session_20251027_080000', '--data-dir', dir]);
    expect(r.stdout).toContain(`DIED mid-write: no SESSION_END or SHUTDOWN_COMPLETE, and decisions.jsonl:${line} ends in a torn line`);
  });
});
