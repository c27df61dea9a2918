import { appendFileSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCliInOneProcess } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG, writeOrderFailures, writeUnexpectedDash } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

function waitFor(read: () => string, text: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (read().includes(text)) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${JSON.stringify(text)}; output so far:\n${read()}`));
      }
    }, 50);
  });
}

describe('--follow', () => {
  it('trace keeps printing the decision\'s new lines: the exit of its position', async () => {
    const dir = tempDir('tt-follow-');
    const facts = writeUnexpectedDash(dir);
    const child = spawnCliInOneProcess(['trace', facts.filled.decisionId, '--follow', '--data-dir', dir]);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor(() => out, 'FILLED: bought 0.001 BTC/USDT at 45000; the position is still open');
    const later = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_150000', start: new Date('2025-10-26T15:00:00Z'), config: BASE_CONFIG });
    later.blocked('BTC/USDT', 'max_open_positions', 3, 3, 'unrelated decision');
    later.exit(facts.filled.decisionId, 'BTC/USDT', '45000', '45900', '0.001', 600);
    later.abandon();
    await waitFor(() => out, 'SELL_FILLED     SOLD 0.001 at 45900 (entry 45000), fee 0.0459, realized PnL 0.8541');
    expect(out).not.toContain('unrelated decision');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('dash follows new notifications across a rotation of its file', async () => {
    const dir = tempDir('tt-follow-dash-');
    writeUnexpectedDash(dir);
    const child = spawnCliInOneProcess(['dash', '--follow', '--data-dir', dir]);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor(() => out, '3 dashboard notifications by source:');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_160000', start: new Date('2025-10-26T16:00:00Z'), config: BASE_CONFIG });
    s.dash('ALERT', 'before rotation', 'src/alerts/notify.ts:10');
    await waitFor(() => out, '"before rotation"');
    s.abandon();
    const logs = join(dir, 'logs');
    renameSync(join(logs, 'dashboard.jsonl'), join(logs, 'dashboard.20251026T160001000Z.jsonl'));
    const t = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_160002', start: new Date('2025-10-26T16:00:02Z'), config: BASE_CONFIG });
    t.dash('ALERT', 'after rotation', 'src/alerts/notify.ts:10');
    t.abandon();
    await waitFor(() => out, '"after rotation"');
    expect(out.match(/before rotation/g)).toHaveLength(1);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('orders summarizes unreadable new lines in one line, not one line each', async () => {
    const dir = tempDir('tt-follow-garbage-');
    writeOrderFailures(dir);
    const child = spawnCliInOneProcess(['orders', '--follow', '--data-dir', dir]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor(() => out, '5 order intents');
    const torn = '{"ts":"2025-10-26T12:00:00.000Z","level":"info","event_type":"ORDER_FAILED","session_id":"s';
    appendFileSync(join(dir, 'logs', 'orders.jsonl'), `${Array.from({ length: 50 }, () => torn).join('\n')}\nnot a log line\n`);
    await waitFor(() => err, 'skipped 51 unreadable lines in orders.jsonl (lines ', 15_000);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('orders prints a line the bot was writing when the follow began, once, when it is complete', async () => {
    const dir = tempDir('tt-follow-midline-');
    writeOrderFailures(dir);
    const path = join(dir, 'logs', 'orders.jsonl');
    const failed = readFileSync(path, 'utf8').split('\n').find((l) => l.includes('"event_type":"ORDER_FAILED"'));
    if (!failed) throw new Error(`no ORDER_FAILED line in ${path}`);
    // Another failure of the same shape, told apart by its time.
    const line = failed.replace(/^\{"ts":"[^"]+"/, '{"ts":"2025-10-26T11:59:59.999Z"');
    appendFileSync(path, line.slice(0, 80));
    const child = spawnCliInOneProcess(['orders', '--follow', '--json', '--data-dir', dir]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor(() => out, 'notional 2.4949 below min_notional 5');
    appendFileSync(path, `${line.slice(80)}\n`);
    await waitFor(() => out, '2025-10-26T11:59:59.999Z', 10_000);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out.split('\n').filter((l) => l === line)).toHaveLength(1);
    // The query before the follow stops at the last newline: the half line is the follow's, not unreadable.
    expect(err).not.toContain('unreadable');
  });
});
