import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { AlertEngine } from './alert-engine.js';
import type { AlertTransition, Observation } from './alert-transition.js';
import { evaluatePastLogs } from './evaluate-past.js';
import { Scenario, T0 } from './fixtures/scenario.js';
import { replayLogs } from './log-replay.js';

const S1 = 'session_20251026_100000';
const S2 = 'session_20251026_110000';

function brief(transitions: readonly AlertTransition[]): string[] {
  return transitions.map((t) => `${t.kind} ${t.rule} ${t.subject} +${(t.at - T0) / 1000}s`);
}

function scenario(): Scenario {
  return new Scenario(tempDir('tradetrace-alerts-'));
}

describe('alert rules over real log lines', () => {
  it('config_drift fires on CONFIG_DIFF with the diff as evidence, and resolves when a later session keeps the new config', async () => {
    const s = scenario();
    s.at(0).start(S1, 'aaaaaaaaaaaaaaaa').end(S1);
    s.at(3_600_000).start(S2, 'bbbbbbbbbbbbbbbb');
    s.emit(S2, 'CONFIG_DIFF', {
      message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb',
      prev_session: S1, changes: [{ path: 'risk.max_open_positions', from: 3, to: 5 }],
    });
    s.end(S2);
    s.at(7_200_000).start('session_20251026_120000', 'bbbbbbbbbbbbbbbb').end('session_20251026_120000');
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 8_000_000, options: { rules: ['config_drift'] } });
    expect(brief(transitions)).toEqual(['fired config_drift config +3600s', 'resolved config_drift config +7200s']);
    const fired = transitions[0];
    if (fired?.kind !== 'fired') throw new Error('expected a firing');
    expect(fired.nextCommand).toBe('tradetrace drift');
    expect(fired.message).toContain('risk.max_open_positions');
    expect(fired.evidence).toEqual([
      {
        file: join(s.logsDir, 'audit.jsonl'), line: 6, event_type: 'CONFIG_DIFF', ts: '2025-10-26T11:00:00.000Z', id: S2,
        value: { prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: S1, changed: ['risk.max_open_positions'] },
      },
    ]);
  });

  it('heartbeat_missing fires at the deadline of a silence (learned interval x factor) and resolves when beats resume', async () => {
    const s = scenario();
    s.at(0).start(S1);
    for (let i = 1; i <= 5; i++) s.at(i * 1000).heartbeat(S1);
    // Silent from +5 s to +20 s: the 1 s interval x 3 deadline passes at +8 s.
    for (let i = 20; i <= 22; i++) s.at(i * 1000).heartbeat(S1);
    s.at(22_500).end(S1);
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 100_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +8s`, `resolved heartbeat_missing ${S1} +20s`]);
    expect(open).toEqual([]);
    const fired = transitions[0];
    if (fired?.kind !== 'fired') throw new Error('expected a firing');
    expect(fired.evidence[0]).toMatchObject({ event_type: 'SHUTDOWN_HEARTBEAT', ts: '2025-10-26T10:00:05.000Z', file: join(s.logsDir, 'system.jsonl'), line: 5 });
    expect(fired.nextCommand).toBe(`tradetrace health --session ${S1}`);
    expect(fired.message).toContain('3 x 1.0 s interval');
  });

  it('heartbeat_missing fires once per loop reported alive:false, and resolves when it is alive again', async () => {
    const s = scenario();
    s.at(0).start(S1);
    s.at(1000).heartbeat(S1, { DecisionLoop: true, MarketData: true });
    s.at(2000).heartbeat(S1, { DecisionLoop: false, MarketData: true });
    s.at(3000).heartbeat(S1, { DecisionLoop: false, MarketData: true });
    s.at(4000).heartbeat(S1, { DecisionLoop: true, MarketData: true });
    s.at(4500).end(S1);
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 100_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1}/DecisionLoop +2s`, `resolved heartbeat_missing ${S1}/DecisionLoop +4s`]);
    const fired = transitions[0];
    if (fired?.kind !== 'fired') throw new Error('expected a firing');
    expect(fired.evidence[0]?.value).toEqual({ loop: 'DecisionLoop', alive: false, last_beat_age_s: 12.5, period_s: 1 });
  });

  it('heartbeat_missing shows a session that ended without SESSION_END as dead, resolved by the restart', async () => {
    const s = scenario();
    s.at(0).start(S1);
    for (let i = 1; i <= 4; i++) s.at(i * 1000).heartbeat(S1);
    // No SESSION_END: killed. The bot is restarted a minute later.
    s.at(60_000).start(S2);
    s.at(61_000).heartbeat(S2);
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 61_500, options: { rules: ['heartbeat_missing'] } });
    // Resolved once the restart shows it runs (its heartbeat), not at its SESSION_START: a start can be refused.
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +7s`, `resolved heartbeat_missing ${S1} +61s`]);
    expect(transitions[1]?.message).toBe(`superseded by session ${S2}: the bot was restarted on this data directory, and ${S1} wrote no SESSION_END`);
    expect(open).toEqual([]);
  });

  it('heartbeat_missing: a session killed and restarted before its deadline never fires, even after the restart ended cleanly', async () => {
    const s = scenario();
    s.at(0).start(S1);
    for (let i = 1; i <= 4; i++) s.at(i * 1000).heartbeat(S1);
    // Killed after +4 s (deadline +7 s: 1 s learned interval x 3); a supervisor restarts it at +5 s.
    s.at(5000).start(S2);
    s.at(6000).heartbeat(S2);
    s.at(6500).end(S2);
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 3_600_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([]);
    expect(open).toEqual([]);
  });

  it('heartbeat_missing: a restart that opened its state (STATE_RECOVERED) resolves the dead session\'s alerts, loops included, before its first heartbeat', async () => {
    const s = scenario();
    s.at(0).start(S1);
    for (let i = 1; i <= 3; i++) s.at(i * 1000).heartbeat(S1);
    s.at(4000).heartbeat(S1, { DecisionLoop: false });
    s.at(30_000).start(S2);
    s.at(30_200).emit(S2, 'STATE_RECOVERED', { path: '/tmp/x/state.sqlite', schema_version: 1, created: false, positions: [], open_orders: [], balances: { USDT: '1000' }, realized_pnl: 0 });
    s.close();
    // S2 has not beaten yet (its first heartbeat comes an interval after its start) and is not late.
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 40_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([
      `fired heartbeat_missing ${S1}/DecisionLoop +4s`,
      `fired heartbeat_missing ${S1} +7s`,
      `resolved heartbeat_missing ${S1} +30.2s`,
      `resolved heartbeat_missing ${S1}/DecisionLoop +30.2s`,
    ]);
    for (const t of transitions.slice(2)) expect(t.message).toMatch(new RegExp(`^superseded by session ${S2}: `));
    expect(open).toEqual([]);
  });

  it('heartbeat_missing: a heartbeat written after SESSION_END (the watchdog not awaited on a forced exit) never fires a silence', async () => {
    const s = scenario();
    s.at(0).start(S1);
    for (let i = 1; i <= 4; i++) s.at(i * 1000).heartbeat(S1);
    s.at(4500).end(S1);
    // The watchdog thread, not awaited on a forced exit, writes one more interval heartbeat.
    s.at(5000).heartbeat(S1);
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 3_600_000, options: { rules: ['heartbeat_missing'] } });
    // It was watched again from the late beat and fired "no SHUTDOWN_HEARTBEAT ... hung or dead" at +8 s.
    expect(brief(transitions)).toEqual([]);
    expect(open).toEqual([]);
  });

  it('heartbeat_missing: a heartbeat read late that is older than the last one does not end a silence (nor report a negative one)', async () => {
    const s = scenario();
    s.at(0).start(S1);
    for (let i = 1; i <= 4; i++) s.at(i * 1000).heartbeat(S1);
    // Written (or read) after the +4 s beat, stamped before it.
    s.at(3500).heartbeat(S1);
    s.at(9000).heartbeat(S1);
    s.close();
    const lines: Observation[] = [];
    for await (const observation of replayLogs(s.logsDir)) lines.push(observation);
    const engine = new AlertEngine({ options: { rules: ['heartbeat_missing'] } });
    const transitions: AlertTransition[] = [];
    for (const observation of lines) {
      // The clock passes the deadline (+7 s: 1 s learned x 3) before the late line is read.
      if (observation.line.ts === new Date(T0 + 3500).toISOString()) transitions.push(...engine.advance(T0 + 8000));
      transitions.push(...engine.observe(observation));
    }
    // It resolved at the late line with "heartbeat resumed after -0.5 s of silence".
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +7s`, `resolved heartbeat_missing ${S1} +9s`]);
    expect(transitions[1]?.message).toBe('heartbeat resumed after 5.0 s of silence');
  });

  describe('heartbeat_missing: the whole process stopped (SIGSTOP, a suspended machine) is one incident, not one per loop', () => {
    const LOOPS = [['MarketDataLoop', 1], ['DecisionLoop', 1], ['DustSweeper', 2], ['LiveDashboard', 1]] as const;
    /** A watchdog heartbeat as the runtime writes it; `ages`: each loop's last beat age in s (alive below 3 periods). */
    const beat = (s: Scenario, ages: readonly number[], eventLoopBlockedMs = 0) =>
      s.emit(S1, 'SHUTDOWN_HEARTBEAT', {
        registered_components: ['engine'],
        registered_threads: LOOPS.map(([name, period], i) => {
          const age = ages[i] ?? 0.2;
          return { name, alive: age < 3 * period, daemon: false, last_beat_age_s: age, period_s: period };
        }),
        recent_heartbeats: [],
        last_heartbeat_age_s: Math.min(...ages),
        shutdown_requested: false,
        event_loop_blocked_ms: eventLoopBlockedMs,
        trigger: 'interval',
        stats: { loops_registered: LOOPS.length },
      });
    const healthy = [0.65, 0.65, 1.99, 0.2];

    it('a 20 s stop (heartbeat interval 2 s): the silence alert, resolved naming the stop; no loop alerts', async () => {
      const s = scenario();
      s.at(0).start(S1);
      for (let i = 1; i <= 4; i++) beat(s.at(i * 2000), healthy);
      // kill -STOP at about +8.9 s, kill -CONT at about +28.9 s: the watchdog's next beat comes at once,
      // before any loop has beaten (the values of a real run: tradetrace paper, 2 s heartbeat interval).
      beat(s.at(29_178), [20.828, 20.828, 21.171, 20.121], 20_083);
      beat(s.at(31_180), [0.826, 0.825, 1.967, 0.226]);
      s.at(35_000).end(S1);
      s.close();
      const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 100_000, options: { rules: ['heartbeat_missing'] } });
      // Besides the silence, it fired (and 2 s later resolved) MarketDataLoop, DecisionLoop, DustSweeper and LiveDashboard "reported not alive".
      expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +14s`, `resolved heartbeat_missing ${S1} +29.178s`]);
      expect(transitions[1]?.message).toBe(
        `heartbeat resumed after 21.2 s of silence: the whole process of ${S1} was stopped for about 20.1 s (SIGSTOP, a suspended machine, a debugger): ` +
          'its loops MarketDataLoop, DecisionLoop, DustSweeper, LiveDashboard went quiet over the same span; it runs again',
      );
      expect(open).toEqual([]);
    });

    it('a stop shorter than the silence deadline: one warning naming it, resolved by the next beat; a loop still silent then fires there', async () => {
      const s = scenario();
      s.at(0).start(S1);
      for (let i = 1; i <= 4; i++) beat(s.at(i * 2000), healthy);
      // Stopped from about +8.6 s to +13.5 s: the watchdog's gap is 5.6 s (deadline 3 x 2 s = 6 s: no silence).
      beat(s.at(13_600), [5.0, 5.0, 5.6, 4.9], 4_900);
      // (DustSweeper, period 2 s, is still alive at 5.6 s.) Every loop beats again but DecisionLoop: not
      // back after the stop, on a heartbeat on schedule, it is an incident of its own.
      beat(s.at(15_600), [0.6, 7.0, 1.5, 0.2]);
      beat(s.at(17_600), healthy);
      s.at(18_000).end(S1);
      s.close();
      const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 100_000, options: { rules: ['heartbeat_missing'] } });
      expect(brief(transitions)).toEqual([
        `fired heartbeat_missing ${S1} +13.6s`,
        `resolved heartbeat_missing ${S1} +15.6s`,
        `fired heartbeat_missing ${S1}/DecisionLoop +15.6s`,
        `resolved heartbeat_missing ${S1}/DecisionLoop +17.6s`,
      ]);
      const fired = transitions[0];
      if (fired?.kind !== 'fired') throw new Error('expected a firing');
      expect(fired.severity).toBe('warning');
      expect(fired.message).toBe(
        `the whole process of ${S1} was stopped for about 4.9 s (SIGSTOP, a suspended machine, a debugger): its watchdog thread wrote no heartbeat ` +
          'for 5.6 s (interval 2.0 s) and its loops MarketDataLoop, DecisionLoop, LiveDashboard went quiet over the same span; it runs again',
      );
      expect(fired.evidence.map((e) => e.ts)).toEqual(['2025-10-26T10:00:08.000Z', '2025-10-26T10:00:13.600Z']);
      expect(fired.evidence[1]?.value).toMatchObject({ gap_s: 5.6, event_loop_blocked_ms: 4_900 });
      expect(transitions[1]?.message).toBe(`the process of ${S1} runs again: its watchdog beat on schedule after the freeze`);
      expect(open).toEqual([]);
    });

    it('at the default 30 s interval: a 20 s stop across the due heartbeat delays it 15 s, and is seen', async () => {
      const s = scenario();
      s.at(0).start(S1);
      for (let i = 1; i <= 3; i++) beat(s.at(i * 30_000), healthy);
      // Stopped from +115 s to +135 s: the beat due at +120 s comes at +135 s.
      beat(s.at(135_000), [20.4, 20.4, 21.0, 20.1], 20_000);
      beat(s.at(165_000), healthy);
      s.close();
      const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 170_000, options: { rules: ['heartbeat_missing'] } });
      expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +135s`, `resolved heartbeat_missing ${S1} +165s`]);
      expect(transitions[0]?.message).toMatch(/^the whole process of \S+ was stopped for about 20\.1 s .* no heartbeat for 45\.0 s \(interval 30\.0 s\) and its loops MarketDataLoop, DecisionLoop, DustSweeper, LiveDashboard went/);
    });

    it('the main thread blocked while the watchdog beats on schedule is not a stop of the process: each silent loop fires', async () => {
      const s = scenario();
      s.at(0).start(S1);
      for (let i = 1; i <= 4; i++) beat(s.at(i * 2000), healthy);
      beat(s.at(10_000), [3.4, 3.4, 3.4, 3.4], 3_400);
      beat(s.at(12_000), healthy);
      s.close();
      const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 12_500, options: { rules: ['heartbeat_missing'] } });
      // DustSweeper (period 2 s) is still alive at 3.4 s.
      expect(brief(transitions)).toEqual([
        ...['MarketDataLoop', 'DecisionLoop', 'LiveDashboard'].map((loop) => `fired heartbeat_missing ${S1}/${loop} +10s`),
        ...['MarketDataLoop', 'DecisionLoop', 'LiveDashboard'].map((loop) => `resolved heartbeat_missing ${S1}/${loop} +12s`),
      ]);
    });

    it('a freeze alert still open when the heartbeat then stops ends, and the silence is its own alert', async () => {
      const s = scenario();
      s.at(0).start(S1);
      for (let i = 1; i <= 4; i++) beat(s.at(i * 2000), healthy);
      beat(s.at(13_600), [5.0, 5.0, 5.6, 4.9], 4_900);
      s.close();
      const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 30_000, options: { rules: ['heartbeat_missing'] } });
      expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +13.6s`, `resolved heartbeat_missing ${S1} +19.6s`, `fired heartbeat_missing ${S1} +19.6s`]);
      expect(open.map((a) => [a.subject, a.severity])).toEqual([[S1, 'critical']]);
      expect(open[0]?.message).toMatch(/^no SHUTDOWN_HEARTBEAT from .*: the bot is hung or dead$/);
    });
  });

  it('heartbeat_missing: a refused start supersedes nothing, so a hung bot holding the data directory keeps its alert', async () => {
    const s = scenario();
    const S3 = 'session_20251026_120000';
    const refuse = (session: string) =>
      s.emit(session, 'SESSION_END', { reason: 'refused', exit_code: 1, duration_ms: 100, error_code: 'open_failed', message: 'state database held by another process' });
    s.at(0).start(S1);
    for (let i = 1; i <= 4; i++) s.at(i * 1000).heartbeat(S1);
    // S1 hangs after +4 s; two restarts are refused, one before its deadline (+7 s), one after.
    s.at(5000).start(S2);
    s.at(5100);
    refuse(S2);
    s.at(10_000).start(S3);
    s.at(10_100);
    refuse(S3);
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 20_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +7s`]);
    expect(open.map((a) => a.subject)).toEqual([S1]);
  });

  it('config_drift of a session refused before trading resolves at its refusal; the next session drifting from the older baseline is its own incident', async () => {
    const s = scenario();
    const [a, b, c, d] = ['session_20251026_100000', 'session_20251026_110000', 'session_20251026_120000', 'session_20251026_130000'];
    const diff = (session: string, prev: string) => s.emit(session, 'CONFIG_DIFF', {
      message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: prev, changes: [{ path: 'execution.slippage_bps', from: 20, to: 30 }],
    });
    // The bot's own order at startup: CONFIG_HASH, CONFIG_DIFF, then SESSION_START.
    const boot = (session: string, hash: string, prev?: string) => {
      s.emit(session, 'CONFIG_HASH', { config_hash: hash, config: { strategy: 'ema' } });
      if (prev) diff(session, prev);
      s.emit(session, 'SESSION_START', { mode: 'paper', version: '0.1.0', pid: 999_999, host: 'test-host', data_dir: '/tmp/x', config_hash: hash });
    };
    s.at(0);
    boot(a, 'aaaaaaaaaaaaaaaa');
    s.end(a);
    // B drifts, then is refused: C keeps B's config, but its baseline is A (B never traded), so it logs the same drift.
    s.at(3_600_000);
    boot(b, 'bbbbbbbbbbbbbbbb', a);
    s.emit(b, 'SESSION_END', { reason: 'refused', exit_code: 1, duration_ms: 5, error_code: 'open_failed', message: 'state database held by another process' });
    s.at(3_700_000);
    boot(c, 'bbbbbbbbbbbbbbbb', a);
    s.end(c);
    // D starts with the same config and no drift: the change was kept.
    s.at(7_200_000);
    boot(d, 'bbbbbbbbbbbbbbbb');
    s.end(d);
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 8_000_000, options: { rules: ['config_drift'] } });
    expect(brief(transitions)).toEqual(['fired config_drift config +3600s', 'resolved config_drift config +3600s', 'fired config_drift config +3700s', 'resolved config_drift config +7200s']);
    expect(transitions[1]?.message).toBe(`${b} was refused before trading (open_failed): its config bbbbbbbb never ran`);
  });

  it('config_drift: each CONFIG_DIFF is an incident; a later one supersedes the open drift, and both carry the ids the bot gives them', async () => {
    const s = scenario();
    const [a, b, c] = ['session_20251026_100000', 'session_20251026_110000', 'session_20251026_120000'];
    const drift = (session: string, prev: string, from: string, to: string) =>
      s.emit(session, 'CONFIG_DIFF', { message: `Config drift detected: ${from.slice(0, 8)} -> ${to.slice(0, 8)}`, prev_hash: from, current_hash: to, prev_session: prev, changes: [{ path: 'execution.slippage_bps', from: 20, to: 30 }] });
    s.at(0).start(a, 'aaaaaaaaaaaaaaaa').end(a);
    s.at(3_600_000).start(b, 'bbbbbbbbbbbbbbbb');
    drift(b, a, 'aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb');
    s.end(b);
    s.at(7_200_000).start(c, 'cccccccccccccccc');
    drift(c, b, 'bbbbbbbbbbbbbbbb', 'cccccccccccccccc');
    s.end(c);
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 8_000_000, options: { rules: ['config_drift'] } });
    expect(brief(transitions)).toEqual(['fired config_drift config +3600s', 'resolved config_drift config +7200s', 'fired config_drift config +7200s']);
    expect(transitions[1]?.message).toBe(`superseded: ${c} changed the config again (bbbbbbbb -> cccccccc); the alert for that change follows`);
    expect(open.map((o) => o.alertId)).toEqual([transitions[2]?.alertId]);
    // The bot's engine sees only its own session's lines: it fires each drift under the same id.
    for (const [session, fired] of [[b, transitions[0]], [c, transitions[2]]] as const) {
      const bot = new AlertEngine({ options: { rules: ['config_drift'] } });
      const own: AlertTransition[] = [];
      for await (const o of replayLogs(s.logsDir)) if (o.line.session_id === session) own.push(...bot.observe(o));
      expect(own.map((t) => [t.kind, t.alertId])).toEqual([['fired', fired?.alertId]]);
    }
  });

  it('order_failure_rate hovering at its threshold is one incident: it resolves only once the rate is clearly back (80% of the threshold)', async () => {
    const s = scenario();
    s.at(0).start(S1);
    // Alternating failures and fills: the rate steps 100%, 50%, 67%, 50%, 60%, 50%... around a 50% threshold.
    const outcomes = ['failed', 'filled', 'failed', 'filled', 'failed', 'filled', 'failed', 'filled', 'failed', 'filled'] as const;
    outcomes.forEach((outcome, i) => s.at(1000 * (i + 1)).intent(S1, `int_${String(i + 1).padStart(16, '0')}`, outcome));
    // Then fills only: 5 of 11 = 45%, 5 of 12 = 42%, 5 of 13 = 38% <= 40%: resolved there.
    for (let i = 11; i <= 14; i++) s.at(1000 * i).intent(S1, `int_${String(i).padStart(16, '0')}`, 'filled');
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, {
      nowMs: T0 + 100_000,
      options: { rules: ['order_failure_rate'], orderFailure: { threshold: 0.5, windowS: 600, minIntents: 3 } },
    });
    // Fires at +3 s (2 of 3 = 67%); without hysteresis it resolved at +4 s (2 of 4 = 50%) and fired again at +5 s.
    expect(brief(transitions)).toEqual(['fired order_failure_rate orders +3s', 'resolved order_failure_rate orders +13s']);
    expect(transitions[1]?.message).toBe('5 of 13 intents failed (38% <= 40%)');
  });

  it('order_failure_rate: an IOC that expired (ORDER_CANCELED, then ORDER_FAILED) is one failure, never a success for a moment', async () => {
    const s = scenario();
    s.at(0).start(S1);
    s.at(1000).intent(S1, 'int_0000000000000001', 'failed');
    s.at(2000).intent(S1, 'int_0000000000000002', 'failed');
    s.at(3000).intent(S1, 'int_0000000000000003', 'filled'); // 2 of 3 = 67% > 50%: fires
    s.at(4000).intent(S1, 'int_0000000000000004', 'filled'); // 2 of 4 = 50%: held (resolves at 40%)
    // Read as a success at its cancel, 2 of 5 = 40% resolved the alert, and its failure fired it again.
    s.at(5000).intent(S1, 'int_0000000000000005', 'expired');
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, {
      nowMs: T0 + 10_000,
      options: { rules: ['order_failure_rate'], orderFailure: { threshold: 0.5, windowS: 600, minIntents: 3 } },
    });
    expect(brief(transitions)).toEqual(['fired order_failure_rate orders +3s']);
  });

  describe('order_failure_rate: an intent the router gave up on after timeouts is filled if the order watcher later finds it filled, as tradetrace orders says', () => {
    const id = (n: number) => `int_${String(n).padStart(16, '0')}`;
    const options = { rules: ['order_failure_rate' as const], orderFailure: { threshold: 0.5, windowS: 600, minIntents: 3 } };

    it('does not fire while the watcher still has its chance, and not at all when the orders filled after all', async () => {
      const s = scenario();
      s.at(0).start(S1);
      s.at(1000).timedOut(S1, id(1));
      s.at(2000).timedOut(S1, id(2));
      s.at(3000).timedOut(S1, id(3)); // counted at once: 3 of 3 failed, fired here
      s.at(4000).intent(S1, id(4), 'filled');
      // The next bar: the order watcher finds the three orders filled.
      for (let i = 1; i <= 3; i++) s.at(61_000).lateFill(S1, id(i));
      s.close();
      const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 700_000, options });
      expect(brief(transitions)).toEqual([]);
      expect(open).toEqual([]);
    });

    it('counts the timeout as a failure once the grace passed without a late fill, and resolves when the late fill comes', async () => {
      const s = scenario();
      s.at(0).start(S1);
      s.at(1000).timedOut(S1, id(1));
      s.at(2000).timedOut(S1, id(2));
      s.at(3000).timedOut(S1, id(3));
      s.at(4000).intent(S1, id(4), 'filled');
      s.at(120_000).lateFill(S1, id(1));
      s.at(120_001).lateFill(S1, id(2));
      s.close();
      const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 200_000, options });
      // Grace 90 s: id 1 counts at +91 s (1 of 2, under minIntents), id 2 at +92 s (2 of 3 = 67%): fired.
      expect(brief(transitions)).toEqual(['fired order_failure_rate orders +92s', 'resolved order_failure_rate orders +120.001s']);
      expect(transitions[0]?.message).toBe(
        '2 of 3 order intents failed (67% > 50%) in the last 600 s; reasons: timeout_exhausted x2; 1 more gave up on a timeout and count once 90 s pass without a late fill',
      );
      // 2 of 4 = 50% holds the alert (hysteresis); 1 of 4 = 25% resolves it.
      expect(transitions[1]?.message).toBe(`1 of 4 intents failed (25% <= 40%); ${id(2)} filled after the router gave up on it (found by the order watcher)`);
    });

    it("a restart's reconciliation booking the fill is a late fill too; one that finds an in-flight order never arrived is a failure", async () => {
      const s = scenario();
      s.at(0).start(S1);
      s.at(1000).timedOut(S1, id(1));
      s.at(2000).timedOut(S1, id(2));
      s.at(3000).timedOut(S1, id(3));
      s.at(4000).intent(S1, id(4), 'filled');
      s.at(5000).inFlight(S1, id(5));
      // The bot is killed with id 5 in flight; the restart finds it never arrived (4 of 5 failed), and the first two filled.
      s.at(100_000).start(S2);
      s.at(101_000).reconciled(S2, id(5), 'not_found');
      s.at(101_001).reconciled(S2, id(1), 'booked_fill');
      s.at(101_002).reconciled(S2, id(2), 'booked_fill');
      s.close();
      const zeroGrace = { ...options, orderFailure: { ...options.orderFailure, lateFillGraceS: 0 } };
      const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 200_000, options: zeroGrace });
      // 3 of 5 = 60% after the first fill holds the alert; 2 of 5 = 40% resolves it (id 5 counted: else 1 of 4).
      expect(brief(transitions)).toEqual(['fired order_failure_rate orders +3s', 'resolved order_failure_rate orders +101.002s']);
      expect(transitions[1]?.message).toBe(`2 of 5 intents failed (40% <= 40%); ${id(2)} filled after all (booked by restart reconciliation)`);
    });
  });

  it('order_failure_rate fires above the threshold with enough intents, not below the minimum count, and resolves as failures age out', async () => {
    const s = scenario();
    s.at(0).start(S1);
    // 2 failures alone: 100% but below minIntents=4, so no alert.
    s.at(1000).intent(S1, 'int_0000000000000001', 'failed');
    s.at(2000).intent(S1, 'int_0000000000000002', 'failed');
    s.at(3000).intent(S1, 'int_0000000000000003', 'filled');
    s.at(4000).intent(S1, 'int_0000000000000004', 'failed'); // 3 of 4 = 75% > 50%: fires at +4 s
    s.at(5000).intent(S1, 'int_0000000000000005', 'failed'); // 4 of 5, still the same alert (no flood)
    s.at(30_000).intent(S1, 'int_0000000000000006', 'filled');
    s.at(30_500).intent(S1, 'int_0000000000000007', 'filled');
    s.at(31_000).intent(S1, 'int_0000000000000008', 'filled');
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, {
      nowMs: T0 + 100_000,
      options: { rules: ['order_failure_rate'], orderFailure: { threshold: 0.5, windowS: 20, minIntents: 4 } },
    });
    // Window 20 s: intent 1 ages out at +21 s (3 of 4 still failed), intent 2 at +22 s: 3 intents < 4, resolved.
    expect(brief(transitions)).toEqual(['fired order_failure_rate orders +4s', 'resolved order_failure_rate orders +22s']);
    const fired = transitions[0];
    if (fired?.kind !== 'fired') throw new Error('expected a firing');
    expect(fired.message).toBe('3 of 4 order intents failed (75% > 50%) in the last 20 s; reasons: rejected x3');
    expect(fired.nextCommand).toBe('tradetrace orders --status failed');
    expect(fired.evidence.map((e) => e.id)).toEqual(['int_0000000000000001', 'int_0000000000000002', 'int_0000000000000004']);
    expect(fired.evidence[0]).toMatchObject({ event_type: 'ORDER_FAILED', file: join(s.logsDir, 'orders.jsonl'), line: 2, value: { reason: 'rejected', symbol: 'BTC/USDT', attempt: 1 } });
    expect(transitions[1]?.message).toBe('only 3 intents in the last 20 s (< 4)');
  });

  it('fatal fires on a FATAL line and resolves when the bot runs again, not on a start that was refused', async () => {
    const s = scenario();
    s.at(0).start(S1);
    s.at(1000).emit(S1, 'FATAL', { origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom' });
    s.at(1001).emit(S1, 'SESSION_END', { reason: 'fatal', exit_code: 1, duration_ms: 1001 });
    // A restart refused (for the very cause, say): the incident is not over.
    const refused = 'session_20251026_100003';
    s.at(3000).start(refused);
    s.at(3001).emit(refused, 'SESSION_END', { reason: 'refused', exit_code: 2, duration_ms: 1, error_code: 'bad_row', message: 'candle file damaged' });
    s.at(5000).start(S2);
    s.at(6000).heartbeat(S2);
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 6500, options: { rules: ['fatal'] } });
    expect(brief(transitions)).toEqual([`fired fatal ${S1} +1s`, `resolved fatal ${S1} +6s`]);
    expect(transitions[0]?.message).toBe(`FATAL in ${S1} (uncaughtException): E_BOOM: boom`);
    expect(transitions[1]?.message).toBe(`bot restarted as ${S2}`);
  });

  it('heartbeat_missing before the first heartbeat: the messages say no heartbeat came yet and when the session started, never call the start a heartbeat', async () => {
    const s = scenario();
    // Killed (kill -9) 8 s in: the watchdog's first heartbeat comes only after a full 30 s interval.
    s.at(0).start(S1);
    s.close();
    const engine = new AlertEngine({ options: { rules: ['heartbeat_missing'] } });
    for await (const o of replayLogs(s.logsDir)) engine.observe(o);
    const gone = engine.sessionGone(S1, { file: 'manifest.json', event_type: 'manifest', ts: '2025-10-26T10:00:00.000Z', id: S1 }, T0 + 8000);
    expect(gone[0]?.message).toBe(`the process of ${S1} is gone and it wrote no SESSION_END: the bot died; no heartbeat yet; the session started at 2025-10-26T10:00:00.000Z`);
    // tradetrace alerts (no pid probe): the deadline, 3 x the 30 s default interval after the start.
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 100_000, options: { rules: ['heartbeat_missing'] } });
    expect(transitions.map((t) => t.message)).toEqual([
      `no SHUTDOWN_HEARTBEAT from ${S1} for more than 90.0 s (3 x 30.0 s interval) since the session started at 2025-10-26T10:00:00.000Z (no heartbeat yet): the bot is hung or dead`,
    ]);
    // A hung start whose first heartbeat then comes: not "resumed".
    const late = scenario();
    late.at(0).start(S1);
    late.at(95_000).heartbeat(S1);
    late.close();
    const resolved = (await evaluatePastLogs(late.logsDir, { nowMs: T0 + 96_000, options: { rules: ['heartbeat_missing'] } })).transitions;
    expect(resolved.map((t) => `${t.kind} ${t.message}`)).toEqual([
      `fired no SHUTDOWN_HEARTBEAT from ${S1} for more than 90.0 s (3 x 30.0 s interval) since the session started at 2025-10-26T10:00:00.000Z (no heartbeat yet): the bot is hung or dead`,
      'resolved first heartbeat, 95.0 s after the session started',
    ]);
  });

  it('heartbeat_missing after a heartbeat: the messages name the last heartbeat', async () => {
    const s = scenario();
    s.at(0).start(S1);
    s.at(30_000).heartbeat(S1);
    s.close();
    const engine = new AlertEngine({ options: { rules: ['heartbeat_missing'] } });
    for await (const o of replayLogs(s.logsDir)) engine.observe(o);
    const gone = engine.sessionGone(S1, { file: 'manifest.json', event_type: 'manifest', ts: '2025-10-26T10:00:00.000Z', id: S1 }, T0 + 40_000);
    expect(gone[0]?.message).toBe(`the process of ${S1} is gone and it wrote no SESSION_END: the bot died; its last heartbeat was at 2025-10-26T10:00:30.000Z`);
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 200_000, options: { rules: ['heartbeat_missing'] } });
    expect(transitions[0]?.message).toContain('since its last heartbeat at 2025-10-26T10:00:30.000Z: the bot is hung or dead');
  });

  it('all rules together: each incident fires once and the listing is in time order', async () => {
    const s = scenario();
    s.at(0).start(S1);
    for (let i = 1; i <= 3; i++) s.at(i * 1000).heartbeat(S1);
    s.at(3500).emit(S1, 'FATAL', { origin: 'engine', error_code: 'E1', message: 'first' });
    s.at(3600).emit(S1, 'FATAL', { origin: 'engine', error_code: 'E2', message: 'second' });
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 60_000 });
    expect(brief(transitions)).toEqual([`fired fatal ${S1} +3.5s`, `fired heartbeat_missing ${S1} +6s`]);
    expect(open.map((a) => a.rule).sort()).toEqual(['fatal', 'heartbeat_missing']);
  });
});
