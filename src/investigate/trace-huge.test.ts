import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// A position whose exit sell fails on every bar: one decision with tens of thousands of failed
// intents (a replay had 44,176 under one decision, ~200k lines; trace printed nothing for 11 min).
const EXITS = 20_000;
const REASONS = [
  { reason: 'insufficient_balance', message: 'attempt 1: insufficient_balance: order needs 0.001 BTC, free 0' },
  { reason: 'rejected', message: 'attempt 1: rejected: order rejected by risk engine' },
  { reason: 'network', message: 'attempt 1: network: connect ECONNREFUSED' },
  { reason: 'insufficient_balance', message: 'attempt 1: insufficient_balance: order needs 0.001 BTC, free 0' },
] as const;
// Measured: ~3 s a query on a dev machine after the fix; the old code did not finish in 10 minutes.
const BOUND_MS = 60_000;

describe('trace: a decision with 20,000 failed exit intents', () => {
  const dir = tempDir('tt-huge-');
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251101_000000', start: new Date('2025-11-01T00:00:00.000Z'), config: BASE_CONFIG, sinkMode: 'buffered' });
  const huge = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  for (let i = 0; i < EXITS; i++) {
    const failure = REASONS[i % REASONS.length] ?? REASONS[0];
    s.exit(huge.decisionId, 'BTC/USDT', '45000', '44000', '0.001', 60, { failure: { reason: failure.reason, message: failure.message } });
  }
  // A normal decision after it, in the same logs.
  const normal = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50' });
  s.tick(1000).end('signal', 0);
  const logs = ['decisions.jsonl', 'orders.jsonl', 'dashboard.jsonl'].map((f) => readFileSync(join(dir, 'logs', f), 'utf8'));
  const linesOfHuge = logs.flatMap((text) => text.split('\n')).filter((l) => l.includes(`"decision_id":"${huge.decisionId}"`)).length;
  const firstIntent = /"intent_id":"(int_[0-9a-f]+)"/.exec(logs[1]?.split('\n').find((l) => l.includes('"side":"sell"')) ?? '')?.[1] ?? '';

  const timed = async (args: string[]) => {
    const started = performance.now();
    const r = await runQuery(args);
    return { ...r, ms: performance.now() - started };
  };

  for (const index of [false, true]) {
    const flags = ['--data-dir', dir, ...(index ? [] : ['--no-index'])];
    it(`summarizes the failed intents in the text, in seconds (${index ? 'index' : '--no-index'})`, async () => {
      const r = await timed(['trace', huge.decisionId, ...flags]);
      expect(r.code).toBe(0);
      expect(r.ms).toBeLessThan(BOUND_MS);
      const lines = r.stdout.split('\n');
      expect(lines.length).toBeLessThan(40);
      expect(r.stdout).toContain('the position is still open: 20000 exit orders failed');
      expect(r.stdout).toContain('20,000 sell intents failed: insufficient_balance 10,000, rejected 5,000, network 5,000;');
      expect(r.stdout).toContain(`the first (${firstIntent}) and last`);
      expect(r.stdout).toContain('19,998 between them are not');
      expect(r.stdout).toContain(`tradetrace orders --intent <int_...> --data-dir ${dir} shows one, tradetrace trace ${huge.decisionId} --json --data-dir ${dir} every line`);
      // The first and last failed exits are shown whole, each with its EXIT_TRIGGERED.
      expect(lines.filter((l) => l.includes('EXIT_TRIGGERED'))).toHaveLength(2);
      expect(lines.filter((l) => l.includes('ORDER_FAILED'))).toHaveLength(2);
    }, BOUND_MS * 2);

    it(`prints every line with --json (${index ? 'index' : '--no-index'})`, async () => {
      const r = await timed(['trace', huge.decisionId, '--json', ...flags]);
      expect(r.code).toBe(0);
      expect(r.ms).toBeLessThan(BOUND_MS);
      const out = r.stdout.trim().split('\n');
      expect(out).toHaveLength(linesOfHuge);
      expect(out.filter((l) => l.includes('"event_type":"ORDER_FAILED"'))).toHaveLength(EXITS);
    }, BOUND_MS * 2);
  }

  it('traces a normal decision in the same logs line by line', async () => {
    const r = await runQuery(['trace', normal.decisionId, '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('intents failed');
    expect(r.stdout.split('\n').filter((l) => /ms {2}(ORDER_CONTEXT|ORDER_FILLED|BUY_FILLED) /.test(l))).toHaveLength(3);
  });
});

describe('trace and why: an argument of the wrong kind', () => {
  const dir = tempDir('tt-kind-');
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251102_000000', start: new Date('2025-11-02T00:00:00.000Z'), config: BASE_CONFIG });
  s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  s.tick(1000).end('signal', 0);

  it('says an intent id is one, and names the command that takes it', async () => {
    const r = await runQuery(['trace', 'int_4f3458469624a089', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"int_4f3458469624a089" is an order intent id, not a decision id: see it with tradetrace orders --intent int_4f3458469624a089');
    expect(r.stderr).not.toContain('no decision matching');
  });

  it('says a session id is one', async () => {
    const r = await runQuery(['trace', 'session_20251102_000000', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a session id, not a decision id');
  });

  it('why takes --symbol as well as the symbol as an argument', async () => {
    const byFlag = await runQuery(['why', '--symbol', 'BTC/USDT', '--data-dir', dir]);
    const byArg = await runQuery(['why', 'BTC/USDT', '--data-dir', dir]);
    expect(byFlag.stderr).not.toContain('Unknown option');
    expect(byFlag).toEqual(byArg);
  });

  it('why refuses two different symbols, and its help shows how to give one', async () => {
    const r = await runQuery(['why', 'ETH/USDT', '--symbol', 'BTC/USDT', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('two symbols');
    const help = await runQuery(['why', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('tradetrace why BTC/USDT');
    expect(help.stdout).toContain('--symbol SYMBOL');
  });
});
