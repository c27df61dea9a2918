import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeDeadBot, writeNoTrades, writeOrderFailures } from './testing/incidents.js';

// Bad input never stops a query: unreadable lines are skipped, counted and reported with file:line.

describe('garbage lines and a gzipped rotated file', () => {
  const dir = tempDir('tt-corrupt-');
  let facts: ReturnType<typeof writeOrderFailures>;
  let older: ReturnType<typeof writeNoTrades>;
  beforeAll(() => {
    facts = writeOrderFailures(dir);
    const orders = join(dir, 'logs', 'orders.jsonl');
    const lines = readFileSync(orders, 'utf8').split('\n');
    const broken = `{"ts":"2025-10-26T11:01:00.500Z","level":"info","event_type":"ORDER_CONTEXT","session_id":"session_20251026_110000","seq":7,"decision_id":"${facts.filled.decisionId}","qty":0.00`;
    lines.splice(10, 0, 'not json at all', broken, '[1,2,3]');
    writeFileSync(orders, lines.join('\n'));
    // An older session's decisions, rotated and gzipped as an operator's logrotate would leave them.
    const previous = tempDir('tt-corrupt-old-');
    older = writeNoTrades(previous);
    writeFileSync(join(dir, 'logs', 'decisions.20251026T105959000Z.jsonl.gz'), gzipSync(readFileSync(join(previous, 'logs', 'decisions.jsonl'))));
  });

  it('scan: a broken candidate line is reported with its line number and the chain is still told', async () => {
    const r = await runQuery(['trace', facts.filled.decisionId, '--data-dir', dir, '--no-index']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FILLED: bought 0.001 BTC/USDT at 45000 after 2 retries');
    expect(r.stderr).toBe(`skipped 1 unreadable line:\n  orders.jsonl:12  truncated: line ends before its JSON object closes (torn or truncated write)  ${JSON.stringify(readFileSync(join(dir, 'logs', 'orders.jsonl'), 'utf8').split('\n')[11]?.slice(0, 120))}\n`);
  });

  it('index: every line that is not a log line is reported with its line number', async () => {
    const r = await runQuery(['trace', facts.filled.decisionId, '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FILLED: bought 0.001 BTC/USDT at 45000 after 2 retries');
    const reported = [...r.stderr.matchAll(/^ {2}(\S+:\d+) {2}(\w+):/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(r.stderr.split('\n')[0]).toBe('skipped 3 unreadable lines:');
    expect(reported).toEqual(['orders.jsonl:11 not_a_log_line', 'orders.jsonl:12 truncated', 'orders.jsonl:13 not_a_log_line']);
  });

  it('reads decisions from the gzipped rotated file, by index and by scan', async () => {
    for (const mode of [[], ['--no-index']]) {
      const r = await runQuery(['trace', older.volatility, '--data-dir', dir, ...mode]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('BLOCKED: guard volatility refused the buy: observed 3.4127 against threshold 3: ATR is 3.413% of price, above the 3% maximum');
      expect(r.stdout).toContain('decisions.20251026T105959000Z.jsonl.gz');
    }
    const why = await runQuery(['why', '--data-dir', dir]);
    expect(why.stdout).toContain('15 decisions: 1 bought\nby outcome: filled 1, blocked 7, no_signal 3, failed 4\n');
  });

  it('garbage outside the candidates does not disturb the full-scan commands', async () => {
    const r = await runQuery(['orders', '--data-dir', dir]);
    expect(r.stdout).toContain('5 order intents: 1 filled, 4 failed');
    expect(r.stderr).toContain('orders.jsonl:12  truncated');
  });
});

describe('truncated last line', () => {
  it('is reported by every command that reads its file, and never stops the query', async () => {
    const dir = tempDir('tt-torn-');
    const facts = writeDeadBot(dir);
    for (const args of [['why'], ['trace', facts.blocked], ['trace', facts.blocked, '--no-index'], ['health']]) {
      const r = await runQuery([...args, '--data-dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`skipped 1 unreadable line:\n  decisions.jsonl:${facts.tornLine}  truncated: `);
    }
    const why = await runQuery(['why', '--data-dir', dir]);
    expect(why.stdout).toContain('2 decisions: 0 bought\nby outcome: blocked 1, no_signal 1\n');
  });
});

describe('nothing to search', () => {
  const commands = [['trace', 'dec_20251026_000000_000000'], ['orders'], ['why'], ['drift'], ['health'], ['dash'], ['sessions']];

  it('a missing directory says so and exits 3, distinct from found (0) and not found (1)', async () => {
    const dir = join(tempDir('tt-missing-'), 'nope');
    for (const args of commands) {
      const r = await runQuery([...args, '--data-dir', dir]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`tradetrace ${args[0] ?? ''}: no log files in ${join(dir, 'logs')} (directory missing); pass --data-dir or set TRADETRACE_DATA_DIR to the bot's data directory\n`);
    }
  });

  it('an empty logs directory says so and exits 3', async () => {
    const dir = tempDir('tt-empty-');
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'notes.txt'), 'not a log\n');
    for (const args of commands) {
      const r = await runQuery([...args, '--data-dir', dir]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('(it holds no *.jsonl files)');
    }
  });
});
