import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { timerLateness } from '../../test/support/timer-lateness.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { readLog, waitFor } from './fixtures/processes.js';
import { startWebhookServer, type WebhookServer } from './fixtures/webhook-server.js';
import { InBotAlerts } from './in-bot-alerts.js';
import { logWebhookError } from './notifiers/log-webhook-error.js';
import { WebhookNotifier } from './notifiers/webhook-notifier.js';

const SESSION = 'session_20251026_100000';
let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
});

function heartbeat(recorder: Recorder, loopAlive = true): void {
  recorder.emit('SHUTDOWN_HEARTBEAT', {
    registered_components: ['engine'],
    registered_threads: [{ name: 'DecisionLoop', alive: loopAlive, daemon: false, last_beat_age_s: loopAlive ? 0.01 : 3, period_s: 0.05 }],
    recent_heartbeats: [], last_heartbeat_age_s: 0.01, shutdown_requested: false, event_loop_blocked_ms: 0, trigger: 'interval', stats: {},
  });
}

describe('InBotAlerts: the engine inside the bot, on the real recorder', () => {
  it('writes ALERT_FIRED/RESOLVED through the recorder, fires a silent heartbeat within one interval, and the webhook gets exactly one alert per incident', async () => {
    server = await startWebhookServer((n) => (n === 1 ? 500 : 200));
    const logs = join(tempDir('tradetrace-inbot-'), 'logs');
    const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logs) });
    const webhook = new WebhookNotifier({ url: server.url, source: SESSION, onError: logWebhookError(recorder), backoffMs: 10 });
    // A fixed 100 ms interval (not learned): heartbeats every ~50 ms never look late, even on a loaded machine.
    const alerts = new InBotAlerts({ recorder, logsDir: logs, notifiers: [webhook], options: { heartbeat: { intervalS: 0.1, missingFactor: 3 } } });
    alerts.start();
    const alertLines = () => readLog(join(logs, 'alerts.jsonl'));

    recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: process.pid, host: 'h', data_dir: logs, config_hash: 'bbbbbbbbbbbbbbbb' });
    // Incident 1: config drift (a second CONFIG_DIFF while it is open must not alert again).
    for (let i = 0; i < 2; i++) {
      recorder.emit('CONFIG_DIFF', { message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: 'session_20251025_100000', changes: [] });
    }
    // Written synchronously, right after the line that caused it.
    expect(alertLines().map((l) => [l['event_type'], l['rule']])).toEqual([['ALERT_FIRED', 'config_drift']]);

    // Incident 2: heartbeats every ~50 ms, then silence; 3 x 100 ms after the last one the timer fires.
    let ownTimerLateMs: Promise<number> = Promise.resolve(0);
    for (let i = 0; i < 6; i++) {
      heartbeat(recorder);
      // A timer of this process, due when the alert's is at the latest (one interval after the
      // deadline): however late a loaded machine runs it, it runs the alert's timer as late.
      if (i === 5) ownTimerLateMs = timerLateness(300 + 100);
      await new Promise((r) => setTimeout(r, 50));
    }
    const silence = await waitFor('heartbeat_missing', () => alertLines().find((l) => l['rule'] === 'heartbeat_missing'), 5_000, 5);
    const beats = readLog(join(logs, 'system.jsonl')).filter((l) => l['event_type'] === 'SHUTDOWN_HEARTBEAT').map((l) => Date.parse(String(l['ts'])));
    const firedAfterMs = Date.parse(String(silence['ts'])) - (beats.at(-1) ?? 0);
    // Not before the 300 ms deadline; within one interval (100 ms) after it, plus slack, plus as
    // late as this process ran a timer due then.
    expect(firedAfterMs).toBeGreaterThanOrEqual(300);
    expect(firedAfterMs).toBeLessThanOrEqual(300 + 100 + 100 + (await ownTimerLateMs));
    expect(silence).toMatchObject({ event_type: 'ALERT_FIRED', session_id: SESSION, subject: SESSION, severity: 'critical' });
    heartbeat(recorder);
    expect(alertLines().at(-1)).toMatchObject({ event_type: 'ALERT_RESOLVED', rule: 'heartbeat_missing', alert_id: silence['alert_id'] });

    // Incident 3: a FATAL line; the alert is on disk before emit returns (a dying bot exits right after).
    recorder.emit('FATAL', { origin: 'engine', error_code: 'E_BOOM', message: 'boom' });
    expect(alertLines().at(-1)).toMatchObject({ event_type: 'ALERT_FIRED', rule: 'fatal', subject: SESSION, next_command: `tradetrace health --session ${SESSION}` });

    await alerts.stop();
    recorder.close();
    const firedIds = alertLines().filter((l) => l['event_type'] === 'ALERT_FIRED').map((l) => l['alert_id']);
    expect(firedIds).toHaveLength(3);
    // The first POST got a 500 and was retried: the receiver sees that alert twice, with one alert_id.
    const posted = server.received.filter((r) => r.body['status'] === 'fired').map((r) => r.body['alert_id']);
    expect(posted).toEqual([firedIds[0], ...firedIds]);
    expect(new Set(posted).size).toBe(3);
    expect(server.received.filter((r) => r.body['status'] === 'resolved').map((r) => r.body['alert_id'])).toEqual([firedIds[1]]);
    // The retried delivery succeeded, so no ERROR line.
    expect(readLog(join(logs, 'system.jsonl')).filter((l) => l['event_type'] === 'ERROR')).toEqual([]);
  });

  it("reads the watchdog thread's heartbeats (its own recorder) back from system.jsonl: quiet while it beats, fires when it stops", async () => {
    const logs = join(tempDir('tradetrace-inbot-'), 'logs');
    const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logs) });
    // The watchdog's recorder: same session and sequence, another writer (in the bot, another thread).
    const watchdog = new Recorder({ sessionId: SESSION, sink: new FileSink(logs), seq: recorder.seq });
    const alerts = new InBotAlerts({ recorder, logsDir: logs, options: { heartbeat: { missingFactor: 3 } } });
    alerts.start();
    recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: process.pid, host: 'h', data_dir: logs, config_hash: 'bbbbbbbbbbbbbbbb' });
    for (let i = 0; i < 12; i++) {
      heartbeat(watchdog);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readLog(join(logs, 'alerts.jsonl'))).toEqual([]);
    const fired = await waitFor('heartbeat_missing', () => readLog(join(logs, 'alerts.jsonl')).find((l) => l['rule'] === 'heartbeat_missing'), 5_000, 5);
    expect(fired).toMatchObject({ subject: SESSION });
    expect((fired['evidence'] as Record<string, unknown>[])[0]).toMatchObject({ event_type: 'SHUTDOWN_HEARTBEAT', file: join(logs, 'system.jsonl') });
    // It learned the watchdog's interval (~50 ms) from the file, not the 30 s default.
    expect(String(fired['message'])).toMatch(/\(3 x 0\.\d s interval\)/);
    await alerts.stop();
    watchdog.close();
    recorder.close();
  });

  it('fires for a loop reported alive:false at the heartbeat that says so', () => {
    const logs = join(tempDir('tradetrace-inbot-'), 'logs');
    const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logs) });
    const alerts = new InBotAlerts({ recorder, logsDir: logs, options: { heartbeat: { intervalS: 1 } } });
    alerts.start();
    heartbeat(recorder, false);
    heartbeat(recorder, false);
    heartbeat(recorder, true);
    void alerts.stop();
    recorder.close();
    const lines = readLog(join(logs, 'alerts.jsonl'));
    expect(lines.map((l) => [l['event_type'], l['subject']])).toEqual([
      ['ALERT_FIRED', `${SESSION}/DecisionLoop`],
      ['ALERT_RESOLVED', `${SESSION}/DecisionLoop`],
    ]);
    expect((lines[0]?.['evidence'] as Record<string, unknown>[])[0]).toMatchObject({ file: join(logs, 'system.jsonl'), event_type: 'SHUTDOWN_HEARTBEAT', id: SESSION });
  });

  it('files no alert under the decision that was running: neither a line-tripped alert nor one from a timer armed there', async () => {
    const logs = join(tempDir('tradetrace-inbot-'), 'logs');
    const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logs) });
    const alerts = new InBotAlerts({ recorder, logsDir: logs, options: { heartbeat: { intervalS: 0.05, missingFactor: 2 } } });
    // Started, and its timer re-armed (by the first heartbeat), inside a decision and an intent.
    withDecision('dec_20251026_100000_abcdef', () => withIntent('int_0123456789ab', () => {
      alerts.start();
      heartbeat(recorder);
      recorder.emit('CONFIG_DIFF', { message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: 'session_20251025_100000', changes: [] });
    }));
    const alertLines = () => readLog(join(logs, 'alerts.jsonl'));
    await waitFor('heartbeat_missing', () => alertLines().find((l) => l['rule'] === 'heartbeat_missing'), 5_000, 5);
    await alerts.stop();
    recorder.close();
    const fired = alertLines().filter((l) => l['event_type'] === 'ALERT_FIRED');
    expect(fired.map((l) => l['rule']).sort()).toEqual(['config_drift', 'heartbeat_missing']);
    for (const line of fired) {
      expect(line, String(line['rule'])).not.toHaveProperty('decision_id');
      expect(line, String(line['rule'])).not.toHaveProperty('intent_id');
    }
    // The bot's own line inside the decision still carries it.
    expect(readLog(join(logs, 'audit.jsonl')).find((l) => l['event_type'] === 'CONFIG_DIFF')).toMatchObject({ decision_id: 'dec_20251026_100000_abcdef', intent_id: 'int_0123456789ab' });
  });

  it('fires config_drift for the CONFIG_DIFF the session wrote before its alerts started, once, and not for another session\'s', async () => {
    const logs = join(tempDir('tradetrace-inbot-'), 'logs');
    // An earlier session drifted too: its drift is not this bot's to report again.
    const earlier = new Recorder({ sessionId: 'session_20251025_100000', sink: new FileSink(logs) });
    earlier.emit('CONFIG_DIFF', { message: 'Config drift detected: 99999999 -> aaaaaaaa', prev_hash: '9999999999999999', current_hash: 'aaaaaaaaaaaaaaaa', prev_session: 'session_20251024_100000', changes: [] });
    earlier.close();
    // As the session bootstrap writes them, before the paper command can start the alerts.
    const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logs) });
    recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: process.pid, host: 'h', data_dir: logs, config_hash: 'bbbbbbbbbbbbbbbb' });
    recorder.emit('CONFIG_HASH', { config_hash: 'bbbbbbbbbbbbbbbb', config: {} });
    recorder.emit('CONFIG_DIFF', { message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: 'session_20251025_100000', changes: [] });
    const alerts = new InBotAlerts({ recorder, logsDir: logs, options: { rules: ['config_drift'] } });
    alerts.start();
    await alerts.stop();
    recorder.close();
    const fired = readLog(join(logs, 'alerts.jsonl')).filter((l) => l['event_type'] === 'ALERT_FIRED');
    expect(fired.map((l) => [l['rule'], l['session_id']])).toEqual([['config_drift', SESSION]]);
    expect(String(fired[0]?.['message'])).toContain('aaaaaaaa -> bbbbbbbb');
  });
});
