import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import type { AlertTransition } from './alert-transition.js';
import { readLog } from './fixtures/processes.js';
import { InBotAlerts } from './in-bot-alerts.js';
import { evaluatePastLogs } from './evaluate-past.js';

const SESSION = 'session_20251026_100000';
const T0 = Date.parse('2025-10-26T10:00:00.000Z');

/**
 * A bot as in production, on a clock the test moves: the main recorder (the alerts' own), and the
 * watchdog thread's recorder (same session and sequence) whose heartbeats are only seen in system.jsonl.
 */
function bot(intervalS = 5) {
  const logs = join(tempDir('tradetrace-inbot-stop-'), 'logs');
  let now = T0;
  const clock = () => now;
  const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logs), now: clock });
  const watchdog = new Recorder({ sessionId: SESSION, sink: new FileSink(logs), seq: recorder.seq, now: clock });
  const notified: AlertTransition[] = [];
  const alerts = new InBotAlerts({
    recorder, logsDir: logs, now: clock, notifiers: [{ notify: (t) => notified.push(t), drain: () => Promise.resolve() }],
    options: { heartbeat: { intervalS, missingFactor: 3 } },
  });
  let lastBeat = T0;
  const beat = (loopAgeS = 0.01) => {
    lastBeat = now;
    watchdog.emit('SHUTDOWN_HEARTBEAT', {
      registered_components: ['engine'],
      registered_threads: [{ name: 'DecisionLoop', alive: loopAgeS < 1, daemon: false, last_beat_age_s: loopAgeS, period_s: 1 }],
      recent_heartbeats: [], last_heartbeat_age_s: 0.01, shutdown_requested: false, event_loop_blocked_ms: 0, trigger: 'interval', stats: {},
    });
  };
  recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: process.pid, host: 'h', data_dir: logs, config_hash: 'bbbbbbbbbbbbbbbb' });
  alerts.start();
  /** Runs the bot normally until `untilMs`: the alert timer every second, the watchdog every interval. */
  const runUntil = (untilMs: number) => {
    while (now < untilMs) {
      now += 1000;
      if (now - lastBeat >= intervalS * 1000) beat();
      alerts.check();
    }
  };
  const close = async () => {
    await alerts.stop();
    watchdog.close();
    recorder.close();
  };
  return { logs, alerts, recorder, beat, runUntil, notified, close, set: (ms: number) => (now = ms), alertLines: () => readLog(join(logs, 'alerts.jsonl')) };
}

describe('InBotAlerts: the whole bot stopped (kill -STOP) past its heartbeat deadline, then resumed', () => {
  it('the watchdog beats first on resume: no ALERT_FIRED, no notification; one LOG line names the stop and the id the watcher gave it', async () => {
    const b = bot();
    b.runUntil(T0 + 20_000);
    // Stopped 25 s after its last beat at +20 s (deadline +35 s); on SIGCONT the watchdog's overdue timer beats first.
    b.set(T0 + 46_000);
    b.beat(26);
    b.set(T0 + 46_001);
    b.alerts.check();
    b.runUntil(T0 + 80_000);
    await b.close();
    expect(b.alertLines()).toEqual([]);
    expect(b.notified).toEqual([]);
    const logs = readLog(join(b.logs, 'system.jsonl')).filter((l) => l['event_type'] === 'LOG');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'info', component: 'alerts', data: { rule: 'heartbeat_missing', subject: SESSION } });
    expect(String(logs[0]?.['message'])).toMatch(/was stopped .*26\.0 s/);
    // The watcher, reading the same lines, fired (and resolved) that incident under this id.
    const { transitions } = await evaluatePastLogs(b.logs, { options: { heartbeat: { intervalS: 5, missingFactor: 3 } }, nowMs: T0 + 80_000 });
    const fired = transitions.find((t) => t.kind === 'fired' && t.rule === 'heartbeat_missing');
    expect(fired).toBeDefined();
    expect((logs[0]?.['data'] as Record<string, unknown>)['alert_id']).toBe(fired?.alertId);
  });

  it('its own timer runs first on resume, before the watchdog beats: still no alert', async () => {
    const b = bot();
    b.runUntil(T0 + 20_000);
    b.set(T0 + 46_000);
    b.alerts.check();
    // A line of the bot's own main thread, written before the watchdog's beat, is observed too.
    b.recorder.emit('LOG', { message: 'decision loop resumed' });
    b.set(T0 + 46_005);
    b.beat(26);
    b.set(T0 + 46_010);
    b.alerts.check();
    b.runUntil(T0 + 80_000);
    await b.close();
    expect(b.alertLines()).toEqual([]);
    expect(b.notified).toEqual([]);
  });

  it('a watchdog that does not beat again within one interval after the resume still fires, as the same incident the watcher reported', async () => {
    const b = bot();
    b.runUntil(T0 + 20_000);
    // Resumed at +46 s; its timer runs every second from then on, but the watchdog thread is dead.
    for (let at = 46_000; at <= 51_000; at += 1000) {
      b.set(T0 + at);
      b.alerts.check();
    }
    expect(b.alertLines()).toEqual([]);
    b.set(T0 + 51_001);
    b.alerts.check();
    await b.close();
    const lines = b.alertLines();
    expect(lines.map((l) => [l['event_type'], l['severity']])).toEqual([['ALERT_FIRED', 'critical']]);
    expect(b.notified).toHaveLength(1);
    const { transitions } = await evaluatePastLogs(b.logs, { options: { heartbeat: { intervalS: 5, missingFactor: 3 } }, nowMs: T0 + 36_000 });
    expect(transitions.map((t) => [t.kind, t.alertId])).toEqual([['fired', lines[0]?.['alert_id']]]);
  });

  it('a stop shorter than the deadline keeps the one warning the watcher gives it too (same id)', async () => {
    const b = bot();
    b.runUntil(T0 + 20_000);
    // Stopped from +20 s to +31 s: the watchdog's beat is 6 s late, the deadline (+35 s) never passed.
    b.set(T0 + 31_000);
    b.beat(11);
    b.set(T0 + 31_001);
    b.alerts.check();
    await b.close();
    expect(b.alertLines().map((l) => [l['event_type'], l['severity']])).toEqual([['ALERT_FIRED', 'warning']]);
  });
});
