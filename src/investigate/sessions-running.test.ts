import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// The runbook sends an operator to `sessions` before a restart: a running bot and one killed with
// kill -9 both lack SESSION_END, and both read "no SESSION_END, last seen ...".
describe('sessions tells a running session from a dead one, as health does', () => {
  it('names the running one RUNNING with its pid, and its PnL as not yet known; the dead one as gone', async () => {
    const dir = tempDir('tt-sessions-running-');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid ?? 0;
    const start = Date.now() - 60_000;
    const gone = new SessionWriter({ dataDir: dir, sessionId: 'session_20260101_000000', start: new Date(start), config: BASE_CONFIG, process: { pid: dead, host: hostname() } });
    gone.tick(1000).noSignal('BTC/USDT', '45000');
    gone.abandon();
    // This test's own process plays the bot still running: it started before the session did (now).
    const live = new SessionWriter({ dataDir: dir, sessionId: 'session_20260101_000100', start: new Date(), config: BASE_CONFIG, process: { pid: process.pid, host: hostname() } });
    live.tick(1000).noSignal('BTC/USDT', '45100');
    live.abandon();
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`exit: none yet: RUNNING (pid ${process.pid} on this host), last seen`);
    expect(r.stdout).toContain('realized PnL: not yet (the session is running: its SESSION_END will have it)');
    expect(r.stdout).toContain(`exit: no SESSION_END: its process (pid ${dead}) is gone, it died without a trace, last seen`);
  });
});
