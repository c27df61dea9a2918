import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeDeadBot, writeNoTrades, writeOrderFailures } from './testing/incidents.js';

// Bad input never stops a query: unreadable lines are skipped, counted and summarized in one line
// with the files and the first line numbers.

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

  it('scan and index: every line that is not a log line is counted, candidate or not, and the chain is still told', async () => {
    for (const mode of [['--no-index'], []]) {
      const r = await runQuery(['trace', facts.filled.decisionId, '--data-dir', dir, ...mode]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('FILLED: bought 0.001 BTC/USDT at 45000 after 2 retries');
      expect(r.stderr).toBe('skipped 3 unreadable lines in orders.jsonl (lines 11, 12, …)\n');
    }
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

  it('garbage outside the candidates does not disturb the full-scan commands, and is counted', async () => {
    const r = await runQuery(['orders', '--data-dir', dir]);
    expect(r.stdout).toContain('5 order intents: 1 filled, 4 failed');
    expect(r.stderr).toBe('skipped 3 unreadable lines in orders.jsonl (lines 11, 12, …)\n');
  });
});

describe('truncated last line', () => {
  it('is reported by every command that reads its file, and never stops the query', async () => {
    const dir = tempDir('tt-torn-');
    const facts = writeDeadBot(dir);
    for (const args of [['why'], ['trace', facts.blocked], ['trace', facts.blocked, '--no-index'], ['health']]) {
      const r = await runQuery([...args, '--data-dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`skipped 1 unreadable line in decisions.jsonl (line ${facts.tornLine})\n`);
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

describe('every command counts the unreadable lines of the files it reads, in one line', () => {
  it('six bad lines in decisions.jsonl, candidates or not (a torn DECISION_START among them)', async () => {
    const dir = tempDir('tt-six-bad-');
    const facts = writeNoTrades(dir);
    const decisions = join(dir, 'logs', 'decisions.jsonl');
    const lines = readFileSync(decisions, 'utf8').split('\n');
    const header = '{"ts":"2025-10-26T10:01:30.000Z","level":"info"';
    const bad = [
      'not json at all',
      '[1,2,3]',
      `${header},"event_ty`,
      `${header},"event_type":"DECISION_END","session_id":"${facts.sessionId}"}`,
      '\u0001\u0002garbage',
      `${header},"event_type":"DECISION_START","session_id":"${facts.sessionId}","se`,
    ];
    bad.forEach((line, i) => lines.splice(3 + i * 3, 0, line));
    writeFileSync(decisions, lines.join('\n'));
    const why = await runQuery(['why', '--data-dir', dir]);
    expect(why.stdout).toContain('10 decisions: 0 bought');
    expect(why.stderr).toBe('skipped 6 unreadable lines in decisions.jsonl (lines 4, 7, …)\n');
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stderr).toBe('skipped 6 unreadable lines in decisions.jsonl (lines 4, 7, …)\n');
    // The DECISION_END without seq has the shape of a log line: only a command that needs it parses it.
    for (const mode of [[], ['--no-index']]) {
      const trace = await runQuery(['trace', facts.volatility, '--data-dir', dir, ...mode]);
      expect(trace.stderr).toBe('skipped 5 unreadable lines in decisions.jsonl (lines 4, 7, …)\n');
    }
    // alerts' rules read no decision line, so it never opens decisions.jsonl: nothing to report.
    const alerts = await runQuery(['alerts', '--data-dir', dir]);
    expect(alerts.stderr).toBe('');
  });

  it('a DECISION_END whose outcome is not one the catalog knows: why reports it, and does not count a made-up outcome', async () => {
    const dir = tempDir('tt-unknown-outcome-');
    writeNoTrades(dir);
    const decisions = join(dir, 'logs', 'decisions.jsonl');
    const lines = readFileSync(decisions, 'utf8').split('\n');
    const end = lines.findIndex((l) => l.includes('"DECISION_END"') && l.includes('"outcome":"no_signal"'));
    lines[end] = (lines[end] ?? '').replace('"outcome":"no_signal"', '"outcome":"bogus"');
    writeFileSync(decisions, lines.join('\n'));
    const why = await runQuery(['why', '--data-dir', dir]);
    expect(why.stdout).toContain('10 decisions: 0 bought');
    expect(why.stdout).toMatch(/by outcome: .*unfinished 1/);
    expect(why.stdout).not.toContain('bogus');
    expect(why.stderr).toBe(`skipped 1 unreadable line in decisions.jsonl (line ${end + 1})\n`);
    const json = await runQuery(['why', '--data-dir', dir, '--json']);
    expect(json.stdout).not.toContain('bogus');
  });

  it('1150 garbage lines appended to system.jsonl', async () => {
    const dir = tempDir('tt-garbage-tail-');
    writeNoTrades(dir);
    const system = join(dir, 'logs', 'system.jsonl');
    const first = readFileSync(system, 'utf8').split('\n').length;
    writeFileSync(system, `${readFileSync(system, 'utf8')}${Array.from({ length: 1150 }, (_, i) => `garbage ${i}`).join('\n')}`);
    const expected = `skipped 1150 unreadable lines in system.jsonl (lines ${first}, ${first + 1}, …)\n`;
    const health = await runQuery(['health', '--data-dir', dir]);
    expect(health.stdout).toContain('ENDED CLEANLY');
    expect(health.stderr).toBe(expected);
    const alerts = await runQuery(['alerts', '--data-dir', dir]);
    expect(alerts.stderr).toBe(expected);
    // sessions reads the audit, decisions and orders channels only.
    expect((await runQuery(['sessions', '--data-dir', dir])).stderr).toBe('');
  });
});

describe('a line damaged by bytes that are not valid UTF-8', () => {
  it('is unreadable like any other: no phantom session from it, and the skipped-lines note names it', async () => {
    const dir = tempDir('tt-not-utf8-');
    const facts = writeNoTrades(dir);
    const decisions = join(dir, 'logs', 'decisions.jsonl');
    const lines = readFileSync(decisions, 'latin1').split('\n');
    const end = lines.findIndex((l) => l.includes('"DECISION_END"'));
    // Disk damage: `\xc3\x28` (a lead byte without its continuation) inside the session id, which a
    // lenient decoder turns into `session_20\uFFFD(251026_100000`.
    const damaged = `"session_id":"${facts.sessionId.slice(0, 10)}\xc3\x28${facts.sessionId.slice(10)}"`;
    lines[end] = (lines[end] ?? '').replace(`"session_id":"${facts.sessionId}"`, damaged);
    writeFileSync(decisions, Buffer.from(lines.join('\n'), 'latin1'));
    const note = `skipped 1 unreadable line in decisions.jsonl (line ${end + 1})\n`;
    for (const args of [['sessions'], ['sessions', '--json'], ['why']]) {
      const r = await runQuery([...args, '--data-dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('\uFFFD');
      expect(r.stdout).not.toContain('(251026_100000');
      expect(r.stderr).toBe(note);
    }
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stdout).toMatch(/^1 session:\n {2}session_20251026_100000 .*\n.*decisions 9 /);
  });
});
