import { execFileSync, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeConfigDrift, writeDeadBot, writeHungBot, writeNoTrades, writeOrderFailures, writeRefusedDrift, writeRefusedWhileRunning, writeUnexpectedDash } from './testing/incidents.js';
import { REPLAY_WINDOW_NOTE } from './render/empty-answer.js';

// Every command on logs written through the real Recorder + FileSink, asserting the exact findings.

describe('why (no trades)', () => {
  const dir = tempDir('tt-why-');
  let facts: ReturnType<typeof writeNoTrades>;
  beforeAll(() => {
    facts = writeNoTrades(dir);
  });

  it('counts decisions by outcome and groups blocks by guard with observed vs threshold and the latest example', async () => {
    const r = await runQuery(['why', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('10 decisions: 0 bought\nby outcome: blocked 7, no_signal 3\n');
    expect(r.stdout).toContain(`  max_open_positions           4x  3 vs 3\n                                  latest: ${facts.maxOpen[3]} at 2025-10-26 10:04:00.017Z: 3 positions open, the maximum is 3\n`);
    expect(r.stdout).toContain(`  insufficient_balance         2x  "4.2" vs "5"\n                                  latest: ${facts.balance[1]} at 2025-10-26 10:02:00.011Z: free quote balance 4.2 is below the minimum order value 5\n`);
    expect(r.stdout).toContain(`  volatility                   1x  3.4127 vs 3\n`);
    expect(r.stdout).toContain(`latest no_signal: ${facts.noSignal[2]} at 2025-10-26 10:05:00.030Z: no buy signal on this bar`);
    expect(r.stdout).toContain(`next: tradetrace trace ${facts.maxOpen[3]}`);
  });

  it('narrows to a symbol and a time window', async () => {
    const eth = await runQuery(['why', 'ETH/USDT', '--data-dir', dir]);
    expect(eth.stdout).toContain('3 decisions for ETH/USDT: 0 bought\nby outcome: blocked 2, no_signal 1\n');
    expect(eth.stdout).not.toContain('max_open_positions');
    const late = await runQuery(['why', '--data-dir', dir, '--since', '2025-10-26T10:03:30Z']);
    expect(late.stdout).toContain('5 decisions since 2025-10-26 10:03:30.000Z: 0 bought\nby outcome: blocked 2, no_signal 3\n');
    const none = await runQuery(['why', 'DOGE/USDT', '--data-dir', dir]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no decisions for DOGE/USDT');
  });

  it('a symbol without decisions names the symbols that have them, rather than blaming the decision loop', async () => {
    const r = await runQuery(['why', 'BTC/USD', '--data-dir', dir]);
    expect([r.code, r.stdout]).toEqual([1, 'no decisions for BTC/USD; decisions were made for BTC/USDT (7), ETH/USDT (3)\n']);
    const idle = await runQuery(['why', 'BTC/USDT', '--data-dir', dir, '--session', facts.sessionId, '--until', '2025-10-26T10:00:30Z']);
    expect([idle.code, idle.stdout]).toEqual([1, `no decisions for BTC/USDT in ${facts.sessionId} until 2025-10-26 10:00:30.000Z: the window may miss the sessions (tradetrace sessions --data-dir ${dir} lists when each ran; ${REPLAY_WINDOW_NOTE}), or the decision loop did not run then; check tradetrace health --data-dir ${dir}\n`]);
  });

  it('a --session that names no session says so, with the sessions there are, rather than blaming the decision loop', async () => {
    const r = await runQuery(['why', '--session', 'bogus', '--data-dir', dir]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `tradetrace why: no session matches --session "bogus" in ${join(dir, 'logs')}; known: ${facts.sessionId}\n`]);
    const withSymbol = await runQuery(['why', 'BTC/USDT', '--session', 'session_20250101_000000', '--data-dir', dir]);
    expect([withSymbol.code, withSymbol.stderr]).toEqual([1, `tradetrace why: no session matches --session "session_20250101_000000" in ${join(dir, 'logs')}; known: ${facts.sessionId}\n`]);
    const health = await runQuery(['health', '--session', 'bogus', '--data-dir', dir]);
    expect([health.code, health.stdout, health.stderr]).toEqual([1, '', `tradetrace health: no session matches --session "bogus" in ${join(dir, 'logs')}; known: ${facts.sessionId}\n`]);
  });

  it('traces a blocked decision to its guard in plain words', async () => {
    const r = await runQuery(['trace', facts.maxOpen[0] ?? '', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('BLOCKED: guard max_open_positions refused the buy: observed 3 against threshold 3: 3 positions open, the maximum is 3');
    expect(r.stdout.match(/DECISION_START|BUY_BLOCKED|DECISION_END/g)).toEqual(['DECISION_START', 'BUY_BLOCKED', 'DECISION_END']);
  });

  it('rejects bad flags and bad times naming the input', async () => {
    const flag = await runQuery(['why', '--data-dir', dir, '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--bogus'");
    const time = await runQuery(['why', '--data-dir', dir, '--since', 'yesterday']);
    expect(time.code).toBe(2);
    expect(time.stderr).toContain('--since "yesterday": expected a relative time like 30m, 2h, 1d or an ISO time');
  });

  it('rejects a window whose --since is after its --until, naming both', async () => {
    for (const command of ['why', 'sessions', 'orders', 'drift']) {
      const r = await runQuery([command, '--data-dir', dir, '--since', '30m', '--until', '1h']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^tradetrace ${command}: --since "30m" \\(\\S+Z\\) is after --until "1h" \\(\\S+Z\\): expected --since to be the earlier time\n`));
    }
    const point = await runQuery(['why', '--data-dir', dir, '--since', '2025-10-26T10:03:00Z', '--until', '2025-10-26T10:03:00Z']);
    expect(point.code).toBe(1);
  });
});

describe('trace and orders (order failures)', () => {
  const dir = tempDir('tt-orders-');
  let facts: ReturnType<typeof writeOrderFailures>;
  beforeAll(() => {
    facts = writeOrderFailures(dir);
  });

  for (const mode of ['index', 'scan'] as const) {
    it(`tells the whole story of a filled decision with retries and its later exit (${mode})`, async () => {
      const r = await runQuery(['trace', facts.filled.decisionId, '--data-dir', dir, ...(mode === 'scan' ? ['--no-index'] : [])]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`decision ${facts.filled.decisionId}  BTC/USDT  session_20251026_110000\nstarted 2025-10-26 11:01:00.000Z (`);
      expect(r.stdout).toContain('FILLED: bought 0.001 BTC/USDT at 45000 after 2 retries (timeout, rate_limited); position closed by take_profit at 45500, realized PnL 0.4545');
      const types = [...r.stdout.matchAll(/Z +[+-]\S+ +([A-Z_]+) /g)].map((m) => m[1]);
      expect(types).toEqual([
        'DECISION_START', 'BUY_TRIGGERED', 'BUY_CANDIDATE', 'BUY_ORDER', 'ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_CONTEXT', 'ORDER_RETRY',
        'ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_FILLED', 'BUY_FILLED', 'DASH_EVENT', 'DECISION_END', 'EXIT_TRIGGERED', 'SELL_FILLED', 'DASH_EVENT',
      ]);
      expect(r.stdout).toContain(`attempt 2 constraints: qty 0.001 · limit_px 45090 · notional 45.09 · quote_budget 45 · tif IOC · slippage_bps 20 · min_notional 5 · max_retries 3 · retry_backoff_ms 400 · client_order_id ${facts.filled.intentId}-2`);
      expect(r.stdout).toContain('2025-10-26 11:01:01.005Z      +1.005s  ORDER_RETRY     attempt 1 failed (timeout: request timed out after 5000ms); retrying as attempt 2 after a backoff of 400ms');
      expect(r.stdout).toContain('SOLD 0.001 at 45500 (entry 45000), fee 0.0455, realized PnL 0.4545 after holding 30m 00s');
    });
  }

  it('explains a failed order and accepts an unambiguous prefix', async () => {
    const r = await runQuery(['trace', facts.minNotional.decisionId.slice(0, -2), '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FAILED: the order failed for good on attempt 1: min_notional: attempt 1: notional_below_min: notional 2.5025 below min_notional 5');
  });

  it('lists the matches of an ambiguous prefix, and says how much was searched for an unknown id', async () => {
    const ambiguous = await runQuery(['trace', 'dec_20251026_11', '--data-dir', dir]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('"dec_20251026_11" matches 5 decisions; give more of the id:');
    expect(ambiguous.stderr).toContain(`  ${facts.exhausted.decisionId}\n`);
    for (const mode of [[], ['--no-index']]) {
      const unknown = await runQuery(['trace', 'dec_20991231_000000_abcdef', '--data-dir', dir, ...mode]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no decision matching "dec_20991231_000000_abcdef": searched 5 log files \(0\.0 MB, 57 lines\) across 1 session in /); // wc -l logs/*.jsonl
    }
    const withIndex = await runQuery(['trace', 'dec_20991231_000000_abcdef', '--data-dir', dir]);
    expect(withIndex.stderr).toContain(', 57 lines) across 1 session'); // wc -l logs/*.jsonl
  });

  it('--json prints exactly the lines the spec grep finds, in order', async () => {
    const r = await runQuery(['trace', facts.filled.decisionId, '--data-dir', dir, '--json']);
    const grep = execFileSync('sh', ['-c', `grep -h 'decision_id":"${facts.filled.decisionId}' logs/*.jsonl`], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n').sort()).toEqual(grep.trim().split('\n').sort());
    const types = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event_type: string }).event_type);
    expect(types[0]).toBe('DECISION_START');
    expect(types[types.length - 1]).toBe('DASH_EVENT');
  });

  it('groups failures by reason and shows each attempt with its constraints', async () => {
    const r = await runQuery(['orders', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5 order intents: 1 filled, 4 failed, 0 canceled, 0 without a final state\nfailures by reason:\n');
    expect(r.stdout).toContain(`  min_notional              2  latest: ${facts.minNotional2.intentId} (decision ${facts.minNotional2.decisionId}) at 2025-10-26 11:05:08.850Z: attempt 1: notional_below_min: notional 2.4949 below min_notional 5\n`);
    expect(r.stdout).toContain(`  insufficient_balance      1  latest: ${facts.balance.intentId}`);
    expect(r.stdout).toContain(`  timeout_exhausted         1  latest: ${facts.exhausted.intentId}`);
    const one = await runQuery(['orders', '--intent', facts.exhausted.intentId, '--data-dir', dir]);
    expect(one.stdout).toContain(`${facts.exhausted.intentId}  buy BTC/USDT  FAILED timeout_exhausted  4 attempts  decision ${facts.exhausted.decisionId}`);
    expect(one.stdout.match(/-> retry: timeout: request timed out after 5000ms/g)).toHaveLength(3);
    expect(one.stdout).toContain('-> FAILED: timeout_exhausted: gave up after 4 attempts; last: timeout: request timed out after 5000ms');
    const eth = await runQuery(['orders', '--status', 'failed', '--symbol', 'ETH/USDT', '--data-dir', dir]);
    expect(eth.stdout).toContain('3 order intents: 0 filled, 3 failed');
    const retried = await runQuery(['orders', '--status', 'retried', '--data-dir', dir, '--json']);
    expect(new Set(retried.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { intent_id: string }).intent_id))).toEqual(new Set([facts.filled.intentId, facts.exhausted.intentId]));
    const bad = await runQuery(['orders', '--status', 'lost', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status "lost": expected one of filled, failed, canceled, open, retried');
  });

  it('caps the ids listed for an ambiguous prefix', async () => {
    const both = tempDir('tt-ambiguous-');
    writeNoTrades(both);
    writeOrderFailures(both);
    const r = await runQuery(['trace', 'dec_2025', '--data-dir', both]);
    expect(r.code).toBe(2);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('  dec_'));
    expect(listed).toHaveLength(10);
    expect(r.stderr).toMatch(/^tradetrace trace: "dec_2025" matches 15 decisions; give more of the id:\n/);
    expect(r.stderr).toMatch(/\n {2}and 5 more; give more of the id\n$/);
  });

  it('a --session that matches none is named, with the sessions there are', async () => {
    const r = await runQuery(['sessions', '--session', 'bogus', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([1, `tradetrace sessions: no session matches --session "bogus" in ${join(dir, 'logs')}; known: session_20251026_110000\n`]);
  });

  it('lists the session with its counts', async () => {
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.stdout).toContain('  session_20251026_110000  paper  2025-10-26 11:00:00.000Z -> 2025-10-26 11:35:10.031Z (35m 10s)\n      exit: signal (exit 0)  config af7cf922d97380d2  decisions 5  fills 1  failures 4\n');
  });

  it('the spec grep for ORDER_CONTEXT of an intent works on these logs', () => {
    const out = execFileSync('sh', ['-c', `grep 'intent_id":"${facts.exhausted.intentId}"' logs/orders.jsonl | grep ORDER_CONTEXT`], { cwd: dir, encoding: 'utf8' });
    expect(out.trim().split('\n')).toHaveLength(4);
  });
});

describe('health (hung bot, dead bot)', () => {
  it('names the loop that stopped, when, and that heartbeats stopped', async () => {
    const dir = tempDir('tt-hung-');
    const facts = writeHungBot(dir);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('HUNG: DecisionLoop stopped beating and the session never ended (no SESSION_END)');
    expect(r.stdout).toContain(`last heartbeat: ${facts.lastHeartbeat.replace('T', ' ')} (`);
    expect(r.stdout).toContain(`  DecisionLoop       STOPPED  last beat ${facts.lastBeat.replace('T', ' ')}; first reported dead at ${facts.firstDeadHeartbeat.replace('T', ' ')}; 95s silent at the last heartbeat`);
    expect(r.stdout).toContain('  MarketDataLoop     alive    last beat 1.5s before the heartbeat');
    expect(r.stdout).toMatch(/heartbeats stopped: none for .* \(expected every 30\.003s\)/);
    expect(r.stdout).toContain('manifest: end not written, exit reason not written');
    const spec = execFileSync('sh', ['-c', "grep 'SHUTDOWN_HEARTBEAT' logs/*.jsonl | tail -1"], { cwd: dir, encoding: 'utf8' });
    expect(spec).toContain(`"ts":"${facts.lastHeartbeat}"`);
  });

  it("sessions' last seen is the session's last line in any channel, the heartbeat in system.jsonl included, as health says", async () => {
    const dir = tempDir('tt-hung-seen-');
    const facts = writeHungBot(dir);
    const lastSeen = facts.lastHeartbeat.replace('T', ' ');
    const health = await runQuery(['health', '--data-dir', dir]);
    expect(health.stdout).toContain(`last line written by the session: ${lastSeen} SHUTDOWN_HEARTBEAT in system.jsonl`);
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stdout).toContain(`exit: no SESSION_END, last seen ${lastSeen}`);
    const json = await runQuery(['sessions', '--json', '--data-dir', dir]);
    expect((JSON.parse(json.stdout) as { lastSeen: string }).lastSeen).toBe(facts.lastHeartbeat);
    // Within the window only: before the heartbeats stopped, the session was last seen earlier.
    const earlier = await runQuery(['sessions', '--json', '--until', '2025-10-26T12:02:00Z', '--data-dir', dir]);
    expect((JSON.parse(earlier.stdout) as { lastSeen: string }).lastSeen < '2025-10-26T12:02:00Z').toBe(true);
  });

  it('says a SIGKILLed session died mid-write, with the torn line and the last whole line', async () => {
    const dir = tempDir('tt-dead-');
    const facts = writeDeadBot(dir);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('DIED mid-write: no SESSION_END or SHUTDOWN_COMPLETE, and decisions.jsonl:6 ends in a torn line');
    expect(r.stdout).toContain(`last line written by the session: ${facts.lastLineTs.replace('T', ' ')} DECISION_END in decisions.jsonl`);
    expect(r.stderr).toBe('skipped 1 unreadable line in decisions.jsonl (line 6)\n');
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stdout).toContain(`exit: no SESSION_END, last seen ${facts.lastLineTs.replace('T', ' ')}`);
    const trace = await runQuery(['trace', facts.last, '--data-dir', dir]);
    expect(trace.stdout).toContain('NO_SIGNAL: no buy signal on this bar');
    expect(trace.stderr).toContain('skipped 1 unreadable line in decisions.jsonl (line 6)\n');
  });

  it('passes over a start refused while the bot runs, names the refusal, and tells whether the pid still runs on this host', async () => {
    const dir = tempDir('tt-refused-');
    const facts = writeRefusedWhileRunning(dir, process.pid, hostname());
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain(`session ${facts.running}`);
    // The session is from 2025; this test's own process, which holds the pid now, started long after: not the bot.
    expect(r.stdout).toContain(`process: pid ${process.pid} is running on this host, but that process started `);
    expect(r.stdout).toContain('after the session: another process got the pid; the bot is gone');
    expect(r.stdout).not.toContain('RUNNING');
    expect(r.stdout).toContain(`a later session was refused before trading: ${facts.refused}: open_failed: ${facts.message} (tradetrace health --session ${facts.refused} --data-dir ${dir})`);
    const refused = await runQuery(['health', '--data-dir', dir, '--session', facts.refused]);
    expect(refused.stdout).toContain(`REFUSED before trading: exit code 1: open_failed: ${facts.message}; nothing was decided under its config`);
    expect(refused.stdout).not.toContain('process:');

    // A pid that has exited: the bot is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid ?? 0;
    const deadDir = tempDir('tt-gone-');
    writeRefusedWhileRunning(deadDir, gone, hostname());
    expect((await runQuery(['health', '--data-dir', deadDir])).stdout).toContain(`process: pid ${gone} is not running on this host: the bot is gone`);
    // Another host cannot be checked from here.
    const elsewhere = tempDir('tt-elsewhere-');
    writeRefusedWhileRunning(elsewhere, 4242, 'bot-host');
    expect((await runQuery(['health', '--data-dir', elsewhere])).stdout).toContain('process: pid 4242 ran on bot-host; check there whether it still runs');
  });

  it('an ended session is reported clean', async () => {
    const dir = tempDir('tt-clean-');
    writeNoTrades(dir);
    const r = await runQuery(['health', '--data-dir', dir, '--session', 'session_20251026_100000']);
    expect(r.stdout).toContain('ENDED CLEANLY: SESSION_END reason signal, exit code 0, shutdown completed');
    const missing = await runQuery(['health', '--data-dir', dir, '--session', 'session_20990101_000000']);
    expect(missing.code).toBe(1);
    // It listed --since/--until as common options and ignored them, reporting a session outside the window.
    const windowed = await runQuery(['health', '--data-dir', dir, '--until', '2020-01-01T00:00Z']);
    expect([windowed.code, windowed.stdout]).toEqual([2, '']);
    expect(windowed.stderr).toContain('--since/--until do not apply: health reads one whole session; choose it with --session');
  });
});

describe('drift and dash', () => {
  it('lists config hashes per session and every changed path with old and new values', async () => {
    const dir = tempDir('tt-drift-');
    const facts = writeConfigDrift(dir);
    const r = await runQuery(['drift', '--data-dir', dir]);
    expect(r.stdout).toBe(
      [
        'config hash per session (2 sessions, 1 change):',
        `  session_20251026_090000  2025-10-26 09:00:00.000Z  ${facts.prevHash}`,
        `  session_20251026_100000  2025-10-26 10:00:00.000Z  ${facts.currentHash}  <- changed`,
        '',
        `drift ${facts.prevHash.slice(0, 8)} -> ${facts.currentHash.slice(0, 8)}: session_20251026_090000 -> session_20251026_100000 (3 changed paths)`,
        '  execution.slippage_bps: 20 -> 50',
        '  exits.trailing_stop_pct: (absent) -> "0.5"',
        '  trading.max_open_positions: 3 -> 5',
        '',
      ].join('\n'),
    );
    const json = await runQuery(['drift', '--data-dir', dir, '--json']);
    // These lines were written without CONFIG_HASH sources or CONFIG_OVERRIDES: no value's source is known.
    expect((JSON.parse(json.stdout) as { drifts: { changes: unknown }[] }).drifts[0]?.changes).toEqual(facts.changes.map((c) => ({ ...c, fromSource: null, toSource: null })));
    expect(execFileSync('sh', ['-c', "grep 'CONFIG_DIFF' logs/audit.jsonl"], { cwd: dir, encoding: 'utf8' })).toContain(`"prev_hash":"${facts.prevHash}","current_hash":"${facts.currentHash}"`);
  });

  it('compares each session with the last one that traded, as the bot does: a refused session is nobody\'s baseline', async () => {
    const dir = tempDir('tt-drift-refused-');
    const facts = writeRefusedDrift(dir);
    const json = await runQuery(['drift', '--data-dir', dir, '--json']);
    const parsed = JSON.parse(json.stdout) as { sessions: { sessionId: string; refused: boolean }[]; drifts: { from: string; to: string; source: string }[] };
    expect(parsed.sessions.map((s) => [s.sessionId, s.refused])).toEqual([[facts.first, false], [facts.refused, true], [facts.third, false]]);
    expect(parsed.drifts.map((d) => [d.from, d.to, d.source])).toEqual([[facts.first, facts.refused, 'CONFIG_DIFF'], [facts.first, facts.third, 'CONFIG_DIFF']]);
    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(text.stdout).toContain(`${facts.refused}  2025-10-26 10:00:00.000Z`);
    expect(text.stdout).toContain('<- changed  (refused: never traded)');
  });

  it('shows which code raised each notification and the decision behind it', async () => {
    const dir = tempDir('tt-dash-');
    const facts = writeUnexpectedDash(dir);
    const r = await runQuery(['dash', 'BUY_FILLED', '--data-dir', dir]);
    expect(r.stdout).toBe(
      [
        '2 dashboard notifications by source:',
        '  BUY_FILLED from src/engine/buy-decision.ts:212: 1  (each raised inside a decision)',
        '  BUY_FILLED from src/ui/replay-panel.ts:57: 1  (raised outside any decision)',
        '',
        `2025-10-26 14:01:00.061Z  BUY_FILLED   "BTC/USDT @ $45000.00"  source src/engine/buy-decision.ts:212  decision ${facts.filled.decisionId} (filled)`,
        '2025-10-26 14:03:00.062Z  BUY_FILLED   "BTC/USDT @ $44000.00"  source src/ui/replay-panel.ts:57  no decision',
        '',
      ].join('\n'),
    );
    const all = await runQuery(['dash', '--data-dir', dir, '--json']);
    expect(all.stdout.trim().split('\n')).toHaveLength(3);
    const spec = execFileSync('sh', ['-c', "grep 'DASH_EVENT.*BUY_FILLED' logs/*.jsonl"], { cwd: dir, encoding: 'utf8' });
    expect(spec).toContain(`"source":"${facts.straySource}"`);
  });

  it('colors only on a TTY and never with NO_COLOR', async () => {
    const dir = tempDir('tt-color-');
    writeUnexpectedDash(dir);
    const tty = await runQuery(['dash', '--data-dir', dir], { tty: true });
    expect(tty.stdout).toContain('\u001b[');
    const noColor = await runQuery(['dash', '--data-dir', dir], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
    const pipe = await runQuery(['dash', '--data-dir', dir]);
    expect(pipe.stdout).not.toContain('\u001b[');
  });

  it('finds the data directory from TRADETRACE_DATA_DIR, then ./data', async () => {
    const dir = tempDir('tt-env-');
    writeUnexpectedDash(dir);
    const env = await runQuery(['dash'], { env: { TRADETRACE_DATA_DIR: dir } });
    expect(env.code).toBe(0);
    const parent = join(dir, '..');
    const cwd = await runQuery(['dash'], { cwd: dir });
    expect(cwd.code).toBe(3);
    expect(cwd.stderr).toContain(`no log files in ${join(dir, 'data', 'logs')} (directory missing)`);
    expect(parent).not.toBe(dir);
  });
});
