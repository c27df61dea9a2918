import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { BASE_CONFIG, writeOrderFailures } from '../../investigate/testing/incidents.js';
import { SessionWriter } from '../../investigate/testing/session-writer.js';

const ordersLog = (dir: string): string => join(dir, 'logs', 'orders.jsonl');

describe('orders --intent: a prefix of several intents, and ids of another kind', () => {
  const dir = tempDir('tt-orders-prefix-');
  const { filled, exhausted, sessionId } = writeOrderFailures(dir);

  it('refuses a prefix that matches several intents, listing them, as trace does for decisions', async () => {
    const ids = [...new Set(readFileSync(ordersLog(dir), 'utf8').match(/int_[0-9a-f]+/g) ?? [])].sort();
    expect(ids.length).toBeGreaterThan(2);
    for (const extra of [[], ['--json']]) {
      const r = await runQuery(['orders', '--intent', 'int_', ...extra, '--data-dir', dir]);
      expect([r.code, r.stdout], extra.join(' ')).toEqual([2, '']);
      expect(r.stderr).toBe(`tradetrace orders: --intent "int_" matches ${ids.length} order intents; give more of the id:\n${ids.map((id) => `  ${id}\n`).join('')}`);
    }
    const one = await runQuery(['orders', '--intent', filled.intentId, '--data-dir', dir]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^1 order intent: /);
  });

  it('says a decision id is one, naming trace; and a session id names --session', async () => {
    const dec = await runQuery(['orders', '--intent', exhausted.decisionId, '--data-dir', dir]);
    expect([dec.code, dec.stdout]).toEqual([2, '']);
    expect(dec.stderr).toBe(`tradetrace orders: --intent "${exhausted.decisionId}" is a decision id, not an order intent id: see it with tradetrace trace ${exhausted.decisionId} --data-dir ${dir} (it shows the decision's orders too)\n`);
    const session = await runQuery(['orders', '--intent', sessionId, '--data-dir', dir]);
    expect([session.code, session.stderr]).toEqual([2, `tradetrace orders: --intent "${sessionId}" is a session id, not an order intent id: give it as --session ${sessionId}\n`]);
  });
});

describe('orders --json --limit', () => {
  it('prints the lines of the latest N intents and says how many were left out; without --limit, all', async () => {
    const dir = tempDir('tt-orders-json-limit-');
    writeOrderFailures(dir);
    const all = await runQuery(['orders', '--json', '--data-dir', dir]);
    const intentsOf = (out: string): string[] => [...new Set(out.trim().split('\n').map((l) => (JSON.parse(l) as { intent_id: string }).intent_id))];
    const every = intentsOf(all.stdout);
    expect([all.code, all.stderr]).toEqual([0, '']);
    const two = await runQuery(['orders', '--json', '--limit', '2', '--data-dir', dir]);
    expect(two.code).toBe(0);
    expect(intentsOf(two.stdout)).toHaveLength(2);
    expect(two.stderr).toBe(`tradetrace orders: printed the lines of the latest 2 of ${every.length} matching intents (--limit 2); ${every.length - 2} left out\n`);
    for (const line of two.stdout.trim().split('\n')) expect(all.stdout).toContain(line);
  });
});

describe('orders when the order log cannot be read', () => {
  it('exits 3 naming the file, not 1 "no order intents match"', async () => {
    const dir = tempDir('tt-orders-unreadable-');
    writeOrderFailures(dir);
    // A directory where the order log belongs: unreadable to any user, root included.
    rmSync(ordersLog(dir));
    mkdirSync(ordersLog(dir));
    const r = await runQuery(['orders', '--data-dir', dir]);
    expect([r.code, r.stdout]).toEqual([3, '']);
    expect(r.stderr).toBe(`tradetrace orders: cannot read ${ordersLog(dir)}: is a directory, not a log file (EISDIR)\n`);
  });
});

describe('orders: an intent whose ORDER_CONTEXT line is damaged', () => {
  it('counts the attempt from its other lines and says its context line is missing', async () => {
    const dir = tempDir('tt-orders-damaged-context-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251031_090000', start: new Date('2025-10-31T09:00:00.000Z'), config: BASE_CONFIG });
    const buy = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
    s.tick(1000).end('signal', 0);
    const lines = readFileSync(ordersLog(dir), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"ORDER_CONTEXT"') && l.includes(buy.intentId));
    lines[at] = (lines[at] ?? '').replace('"qty":', '"qty"');
    writeFileSync(ordersLog(dir), lines.join('\n'));
    for (const args of [['--intent', buy.intentId], []]) {
      const r = await runQuery(['orders', ...args, '--data-dir', dir]);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain(`${buy.intentId}  buy BTC/USDT  FILLED  1 attempt (1 without its ORDER_CONTEXT line)  decision`);
      expect(r.stdout).toContain(`\n    MISSING LINES: 1 line of this intent could not be read: orders.jsonl:${at + 1}\n    attempt 1  no ORDER_CONTEXT line (unreadable, or not among the lines read: see stderr); its other lines:\n`);
      expect(r.stdout).toMatch(/\n {6}-> submitted: exchange order /);
      expect(r.stderr).toContain(`orders.jsonl (line ${at + 1})`);
    }
  });
});
