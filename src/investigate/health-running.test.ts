import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { runChild, type ChildRun } from '../runtime/fixtures/child-run.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

const CONFIG = { ...BASE_CONFIG, runtime: { heartbeat_interval: '30s' } };
const ENTRY = resolve(import.meta.dirname, '../cli/entry.ts');
const alive = [{ name: 'DecisionLoop', alive: true, lastBeatAgeS: 1 }];

/** A pid that ran and exited: no process has it now (pids are not reused that fast). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid ?? 0;
}

describe('health: a session killed between SHUTDOWN_COMPLETE and SESSION_END', () => {
  it('has its own verdict, and never says there is no SHUTDOWN_COMPLETE above a SHUTDOWN_COMPLETE last line', async () => {
    const dir = tempDir('tt-health-unended-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_100000', start: new Date('2025-10-26T10:00:00.000Z'), config: CONFIG, process: { pid: deadPid(), host: hostname() } });
    s.tick(40_000).heartbeat(alive);
    s.tick(1000).emit('SHUTDOWN_REQUESTED', { reason: 'SIGINT', running: ['engine'] });
    s.tick(30).emit('SHUTDOWN_COMPLETE', { components: [{ name: 'engine', result: 'stopped', duration_ms: 30 }], exit_code: 0, duration_ms: 30 });
    s.abandon();
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SHUTDOWN COMPLETED, END NOT RECORDED: SHUTDOWN_COMPLETE at 2025-10-26 10:00:41.030Z, exit code 0, but no SESSION_END: the process was killed while ending');
    expect(r.stdout).toContain('last line written by the session: 2025-10-26 10:00:41.030Z SHUTDOWN_COMPLETE in system.jsonl');
    expect(r.stdout).not.toContain('no SESSION_END or SHUTDOWN_COMPLETE');
    expect(r.stdout).not.toContain('NO CLEAN END');
  });
});

describe('health: no heartbeat before the first is due', () => {
  it('a session that ended before start + heartbeat_interval: none was due (from config.json), not "the watchdog never ran"', async () => {
    const dir = tempDir('tt-health-short-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_110000', start: new Date('2025-10-26T11:00:00.000Z'), config: CONFIG });
    s.tick(5000).end('signal', 0);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('ENDED CLEANLY');
    expect(r.stdout).toContain("no SHUTDOWN_HEARTBEAT from this session, and none was due: the session's last line came before the first was due at 2025-10-26 11:00:30.000Z (start + 30s interval)");
    expect(r.stdout).not.toContain('the watchdog never ran');
  });

  it('a session that lived past the first heartbeat without one still says the watchdog never ran', async () => {
    const dir = tempDir('tt-health-nohb-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_120000', start: new Date('2025-10-26T12:00:00.000Z'), config: CONFIG, process: { pid: deadPid(), host: hostname() } });
    s.tick(90_000).noSignal('BTC/USDT', '45000');
    s.abandon();
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('NO CLEAN END: no SESSION_END or SHUTDOWN_COMPLETE; the process died without a trace');
    expect(r.stdout).toContain('no SHUTDOWN_HEARTBEAT from this session: the watchdog never ran or its lines are missing');
    expect(r.stdout).toContain('is not running on this host: the bot is gone');
  });
});

describe.runIf(sharedDataAvailable())('health of a paper session that is running (a real process)', () => {
  let run: ChildRun | undefined;
  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  });

  it('is RUNNING, since when, and no heartbeat due yet in its first interval: not a crash', async () => {
    const dir = tempDir('tt-health-running-');
    // Real time (speed 1): the replay outlives the test, which ends it. A 10-minute heartbeat
    // interval: on a loaded machine the bot's start alone has taken most of the default 30 s.
    run = runChild(ENTRY, ['paper', '--data', BTC_PERP_CSV, '--set', 'trading.quote_currency=USD', '--set', 'runtime.heartbeat_interval=10m', '--speed', '1', '--data-dir', dir]);
    const sessions = join(dir, 'sessions');
    // Up to 90 s for the start only bounds a hang: it is a node + tsx start of the whole bot.
    const deadline = Date.now() + 90_000;
    let id: string | undefined;
    while (Date.now() < deadline && !id) {
      await new Promise((r) => setTimeout(r, 200));
      id = existsSync(sessions) ? readdirSync(sessions).find((n) => existsSync(join(sessions, n, 'manifest.json')) && existsSync(join(dir, 'logs', 'audit.jsonl'))) : undefined;
    }
    expect(id).toBeDefined();
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`session ${id ?? ''}  (paper mode, pid ${run.child.pid ?? ''} on ${hostname()})`);
    expect(r.stdout).toMatch(new RegExp(`RUNNING: pid ${run.child.pid ?? ''} is running on this host, no SESSION_END yet; running since \\S+ \\S+Z \\(.* ago\\); .*no heartbeat due yet: the first is due .* from now, at \\S+ \\S+Z \\(start \\+ 10m 00s\\)`));
    expect(r.stdout).toMatch(/no SHUTDOWN_HEARTBEAT from this session, and none was due yet: the first is due at \S+ \S+Z \(start \+ 10m 00s interval\)/);
    expect(r.stdout).not.toContain('NO CLEAN END');
    expect(r.stdout).not.toContain('the watchdog never ran');
    run.child.kill('SIGINT');
    const exited = await run.exited;
    expect(exited.code).toBe(0);
    const after = await runQuery(['health', '--data-dir', dir]);
    expect(after.stdout).toContain('ENDED CLEANLY: SESSION_END reason signal, exit code 0');
  }, 180_000);
});

describe('health of a session whose process is stopped by a signal (kill -STOP, Ctrl-Z)', () => {
  it('says the process is STOPPED and how to resume it, not only that the watchdog is stuck', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = child.pid ?? 0;
      // After the process started: a session older than its process would read as a reused pid.
      await new Promise((r) => setTimeout(r, 50));
      process.kill(pid, 'SIGSTOP');
      const dir = tempDir('tt-health-stopped-');
      const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_130000', start: new Date(), config: { ...BASE_CONFIG, runtime: { heartbeat_interval: '1s' } }, process: { pid, host: hostname() } });
      s.tick(1000).heartbeat(alive);
      s.tick(1000).heartbeat(alive);
      s.abandon();
      // Two intervals past the last heartbeat: overdue.
      await new Promise((r) => setTimeout(r, 5000));
      const r = await runQuery(['health', '--data-dir', dir]);
      expect(r.stdout).toContain(`RUNNING: pid ${pid} is running on this host, no SESSION_END yet; but the process is STOPPED by a signal (SIGSTOP, or Ctrl-Z in its terminal): it runs nothing, not even its watchdog, until \`kill -CONT ${pid}\``);
      expect(r.stdout).toMatch(/the last .* ago: overdue, the process is stopped/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
