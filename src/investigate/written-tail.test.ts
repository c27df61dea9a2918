import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

/** A pid that ran and exited: no process has it now (pids are not reused that fast). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid ?? 0;
}

/** The first bytes of the session's next decision line, as a reader sees them while the bot writes it. */
function lineInWriting(s: SessionWriter, cut = Number.POSITIVE_INFINITY): string {
  const line = `{"ts":"${new Date(s.now.getTime() + 1000).toISOString()}","level":"info","event_type":"DECISION_START","session_id":"${s.sessionId}","seq":99,"decision_id":"dec_20990101_000000_0`;
  return line.slice(0, cut);
}

/**
 * A session whose bot is this very process (the manifest names its pid and host, and it started
 * before the session: not a reused pid), or one whose process is gone; decisions.jsonl ends in a
 * line without its newline.
 */
function writeSession(dir: string, pid: number, cut?: number, start = new Date()): { s: SessionWriter; decisionId: string } {
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20990101_000000', start, config: BASE_CONFIG, process: { pid, host: hostname() } });
  s.tick(1000).blocked('BTC/USDT', 'max_open_positions', 3, 3, '3 positions open, the maximum is 3');
  const decisionId = s.tick(1000).noSignal('ETH/USDT', '2500');
  appendFileSync(join(dir, 'logs', 'decisions.jsonl'), lineInWriting(s, cut));
  return { s, decisionId };
}

describe('a line the running bot is writing is no unreadable line', () => {
  it('trace, why and sessions leave it out while the bot runs; health still reads it and says RUNNING', async () => {
    for (const cut of [undefined, 12]) {
      const dir = tempDir('tt-written-tail-');
      // Cut 12: `{"ts":"2099-`, before the line names its session: the line before it is the running session's.
      const { s, decisionId } = writeSession(dir, process.pid, cut);
      try {
        const trace = await runQuery(['trace', decisionId, '--data-dir', dir]);
        expect([trace.code, trace.stderr], `cut ${cut}`).toEqual([0, '']);
        expect(trace.stdout).toContain(decisionId);
        for (const command of ['why', 'sessions']) {
          const r = await runQuery([command, '--data-dir', dir]);
          expect([r.code, r.stderr], `${command}, cut ${cut}`).toEqual([0, '']);
        }
        const health = await runQuery(['health', '--data-dir', dir]);
        expect(health.stdout).toContain('RUNNING');
        expect(health.stderr).toMatch(/^skipped 1 unreadable line in decisions\.jsonl \(line 6\)\n$/);
      } finally {
        s.abandon();
      }
    }
  });

  it("a dead bot's torn last line is still reported by every query, and health's verdict is DIED mid-write", async () => {
    // Its pid is free, or (a session started before this process did) another process got it.
    for (const [pid, start] of [[deadPid(), new Date()], [process.pid, new Date('2025-10-26T13:00:00.000Z')]] as const) {
      const dir = tempDir('tt-written-tail-dead-');
      const { s, decisionId } = writeSession(dir, pid, undefined, start);
      s.abandon();
      const skipped = /^skipped 1 unreadable line in decisions\.jsonl \(line 6\)\n$/;
      expect((await runQuery(['trace', decisionId, '--data-dir', dir])).stderr, `pid ${pid}`).toMatch(skipped);
      expect((await runQuery(['why', '--data-dir', dir])).stderr).toMatch(skipped);
      expect((await runQuery(['sessions', '--data-dir', dir])).stderr).toMatch(skipped);
      const health = await runQuery(['health', '--data-dir', dir]);
      expect(health.stdout, `pid ${pid}`).toContain('DIED mid-write');
      expect(health.stderr).toMatch(skipped);
    }
  });

  it("while a bot runs, a torn line an earlier, dead session left in a file the running one has not written is still reported", async () => {
    for (const cut of [undefined, 12]) {
      const dir = tempDir('tt-written-tail-earlier-');
      const dead = new SessionWriter({ dataDir: dir, sessionId: 'session_20990101_000000', start: new Date(), config: BASE_CONFIG, process: { pid: deadPid(), host: hostname() } });
      const intent = dead.tick(1000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' }).intentId;
      const torn = `{"ts":"${new Date(dead.now.getTime() + 500).toISOString()}","level":"info","event_type":"ORDER_CONTEXT","session_id":"${dead.sessionId}","seq":99,"intent_id":"int_`;
      dead.kill('orders', torn.slice(0, cut));
      // The running bot has written decisions since, but no order yet: orders.jsonl is not its file.
      const live = new SessionWriter({ dataDir: dir, sessionId: 'session_20990101_000100', start: new Date(), config: BASE_CONFIG, process: { pid: process.pid, host: hostname() } });
      live.tick(1000).noSignal('ETH/USDT', '2500');
      try {
        const orders = await runQuery(['orders', '--data-dir', dir]);
        expect(orders.stdout, `cut ${cut}`).toContain(intent);
        expect(orders.stderr, `cut ${cut}`).toMatch(/^skipped 1 unreadable line in orders\.jsonl \(line \d+\)\n$/);
      } finally {
        live.abandon();
      }
    }
  });
});
