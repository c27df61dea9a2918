import { readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { listLogFiles } from '../recorder/log-files.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

/** logrotate's numbered rotation of every log: .1 -> .2.gz (compressed, mtime kept), current -> .1. */
function logrotate(logs: string, writtenAt: Date): void {
  for (const name of readdirSync(logs)) {
    const path = join(logs, name);
    if (name.endsWith('.jsonl.1')) {
      const older = path.replace(/\.1$/, '.2.gz');
      writeFileSync(older, gzipSync(readFileSync(path)));
      const before = new Date(writtenAt.getTime() - 3_600_000);
      utimesSync(older, before, before);
      rmSync(path);
    }
  }
  for (const name of readdirSync(logs)) {
    if (!name.endsWith('.jsonl')) continue;
    const rotated = join(logs, `${name}.1`);
    renameSync(join(logs, name), rotated);
    utimesSync(rotated, writtenAt, writtenAt);
  }
}

// An operator who rotates the logs with logrotate gets its names (orders.jsonl.1, orders.jsonl.2.gz),
// not ours: every query used to leave those files out without a word, answering from the newest
// session only.
describe('logs rotated by logrotate (numbered, compressed) are read like our own rotated files', () => {
  const dir = tempDir('tt-logrotate-');
  const logs = join(dir, 'logs');
  const sessions = ['session_20251029_080000', 'session_20251029_090000', 'session_20251029_100000'];
  const bought: string[] = [];
  sessions.forEach((sessionId, i) => {
    const start = new Date(Date.UTC(2025, 9, 29, 8 + i));
    const writer = new SessionWriter({ dataDir: dir, sessionId, start, config: BASE_CONFIG });
    bought.push(writer.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' }).decisionId);
    writer.tick(1000).end('signal', 0);
    if (i < sessions.length - 1) logrotate(logs, new Date(start.getTime() + 120_000));
  });

  it('lists them oldest first: .2.gz, .1, then the current file', () => {
    const orders = listLogFiles(logs, ['orders']).map((f) => f.path.slice(logs.length + 1));
    expect(orders).toEqual(['orders.jsonl.2.gz', 'orders.jsonl.1', 'orders.jsonl']);
  });

  it('every session, order and decision is found, the oldest in the compressed file included', async () => {
    const listed = await runQuery(['sessions', '--data-dir', dir]);
    expect(listed.code, listed.stderr).toBe(0);
    for (const session of sessions) expect(listed.stdout).toContain(session);
    const orders = await runQuery(['orders', '--json', '--data-dir', dir]);
    expect(new Set(orders.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { decision_id?: string }).decision_id))).toEqual(new Set(bought));
    const oldest = await runQuery(['trace', bought[0] ?? '', '--data-dir', dir]);
    expect(oldest.code, oldest.stderr).toBe(0);
    expect(oldest.stdout).toContain('BUY_FILLED');
  });
});
