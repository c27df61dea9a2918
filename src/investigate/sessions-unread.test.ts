import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG, writeConfigDrift, writeOrderFailures } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// What sessions could not read it said as read: an orders log it could not open gave "fills 0
// failures 0", a torn SESSION_END "its SESSION_END has no PnL summary", a torn CONFIG_DIFF (in
// drift) "no CONFIG_DIFF line"; and a bot stopped by SIGSTOP read RUNNING where health says STOPPED.

describe('sessions when an orders log file cannot be read', () => {
  it('a directory where orders.jsonl belongs: fills and failures are unknown, with why, not 0', async () => {
    const dir = tempDir('tt-sessions-orders-dir-');
    const facts = writeOrderFailures(dir);
    const orders = join(dir, 'logs', 'orders.jsonl');
    rmSync(orders);
    mkdirSync(orders);
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decisions 5  fills unknown  failures unknown\n');
    expect(r.stdout).toContain(`      fills and failures unknown: could not read ${orders} (is a directory, not a log file)\n`);
    expect(r.stderr).toBe(`could not read ${orders}: is a directory, not a log file (EISDIR); skipped the file\n`);
    const json = await runQuery(['sessions', '--json', '--data-dir', dir]);
    const row = JSON.parse(json.stdout) as Record<string, unknown>;
    expect([row['sessionId'], row['fills'], row['partlyFilled'], row['failures'], row['ordersUnread']]).toEqual([facts.sessionId, null, null, null, `could not read ${orders} (is a directory, not a log file)`]);
  });

  it('a rotated orders .gz cut short: read in part, so the counts are unknown too', async () => {
    const dir = tempDir('tt-sessions-orders-gz-');
    writeOrderFailures(dir);
    const orders = join(dir, 'logs', 'orders.jsonl');
    const gz = gzipSync(readFileSync(orders));
    const rotated = join(dir, 'logs', 'orders.20251026T115959000Z.jsonl.gz');
    writeFileSync(rotated, gz.subarray(0, Math.floor(gz.length / 2)));
    rmSync(orders);
    writeFileSync(orders, '');
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fills unknown  failures unknown\n');
    expect(r.stdout).toMatch(new RegExp(`fills and failures unknown: could not read ${rotated.replace(/[.]/g, '\\.')} \\(.*read only in part\\)`));
  });
});

describe('damaged audit lines are named as damaged, not as missing', () => {
  it('torn SESSION_END, CONFIG_HASH and CONFIG_DIFF: sessions and drift say the line is unreadable and where', async () => {
    const dir = tempDir('tt-torn-audit-');
    const facts = writeConfigDrift(dir);
    const audit = join(dir, 'logs', 'audit.jsonl');
    const lines = readFileSync(audit, 'utf8').split('\n');
    // As the bot keeps it beside the logs: what drift recovers a damaged CONFIG_HASH line's config from.
    const logged = JSON.parse(lines[4] ?? '') as { config: unknown };
    writeFileSync(join(dir, 'sessions', facts.second, 'config.json'), JSON.stringify(logged.config));
    // Lines 3 (the first session's SESSION_END), 5 and 6 (the second's CONFIG_HASH and CONFIG_DIFF), each cut short.
    for (const at of [2, 4, 5]) lines[at] = (lines[at] ?? '').slice(0, 130);
    writeFileSync(audit, lines.join('\n'));
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.code).toBe(0);
    const pnl = sessions.stdout.split('\n').filter((l) => l.includes('realized PnL'));
    // Not unknown: its SELL_FILLED lines (none) give it, and say why they are read.
    expect(pnl[0]).toBe('      realized PnL: 0 (no SELL_FILLED line: its SESSION_END line is unreadable: audit.jsonl:3)');
    expect(pnl[1]).toBe('      realized PnL: 0 (no SELL_FILLED line: its SESSION_END has no PnL summary)');
    const json = (await runQuery(['sessions', '--json', '--data-dir', dir])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json.map((row) => row['endUnreadable'])).toEqual(['audit.jsonl:3', null]);
    const drift = await runQuery(['drift', '--data-dir', dir]);
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain(`${facts.first} -> ${facts.second} (3 changed paths, computed from the logged snapshots: its CONFIG_DIFF line is unreadable (audit.jsonl:6))`);
    expect(drift.stdout).not.toContain('no CONFIG_DIFF line');
    expect(drift.stderr).toBe('skipped 3 unreadable lines in audit.jsonl (lines 3, 5, …)\n');
  });
});

describe('a torn SESSION_END and no manifest to end the session from', () => {
  it('exit is not known because the line is unreadable, not "no SESSION_END"', async () => {
    const dir = tempDir('tt-torn-end-no-manifest-');
    writeConfigDrift(dir);
    rmSync(join(dir, 'sessions'), { recursive: true });
    const audit = join(dir, 'logs', 'audit.jsonl');
    const lines = readFileSync(audit, 'utf8').split('\n');
    lines[2] = (lines[2] ?? '').slice(0, 130);
    writeFileSync(audit, lines.join('\n'));
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('exit: not known: its SESSION_END line is unreadable (audit.jsonl:3), last seen 2025-10-26 09:01:01.123Z');
    expect(r.stdout).toContain('realized PnL: 0 (no SELL_FILLED line: its SESSION_END line is unreadable: audit.jsonl:3)');
  });
});

describe("drift when a session's config snapshot is not known", () => {
  it('its CONFIG_HASH and CONFIG_DIFF lines torn and no config.json: the changed paths are not known, not the whole config gone', async () => {
    const dir = tempDir('tt-drift-unknown-config-');
    const facts = writeConfigDrift(dir);
    const audit = join(dir, 'logs', 'audit.jsonl');
    const lines = readFileSync(audit, 'utf8').split('\n');
    for (const at of [4, 5]) lines[at] = (lines[at] ?? '').slice(0, 130);
    writeFileSync(audit, lines.join('\n'));
    const r = await runQuery(['drift', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${facts.first} -> ${facts.second} (changed paths not known: the config of ${facts.second} was not logged or cannot be read, and its CONFIG_DIFF line is unreadable (audit.jsonl:6))`);
    expect(r.stdout).not.toContain('(absent)');
  });
});

describe('sessions of a bot stopped by a signal (kill -STOP, Ctrl-Z)', () => {
  it('says STOPPED and how to resume it, as health does, not RUNNING', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = child.pid ?? 0;
      // After the process started: a session older than its process would read as a reused pid.
      await new Promise((r) => setTimeout(r, 50));
      process.kill(pid, 'SIGSTOP');
      const dir = tempDir('tt-sessions-stopped-');
      const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_130000', start: new Date(), config: BASE_CONFIG, process: { pid, host: hostname() } });
      s.tick(1000).noSignal('BTC/USDT', '45000');
      s.abandon();
      const r = await runQuery(['sessions', '--data-dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`exit: none yet: STOPPED by a signal (pid ${pid} on this host: SIGSTOP, or Ctrl-Z in its terminal): it runs nothing until \`kill -CONT ${pid}\`, last seen`);
      expect(r.stdout).not.toContain('RUNNING');
      expect(r.stdout).toContain('realized PnL: not yet (the session is stopped, not ended: its SESSION_END will have it)');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
