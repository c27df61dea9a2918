import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { AlertEngine } from './alert-engine.js';
import type { AlertOptionsInput } from './alert-options.js';
import type { AlertTransition, Observation } from './alert-transition.js';
import { evaluatePastLogs } from './evaluate-past.js';
import { Scenario, T0 } from './fixtures/scenario.js';
import { replayLogs } from './log-replay.js';
import { AlertWatcher } from './watch/alert-watcher.js';

const S1 = 'session_20251026_100000';
const S2 = 'session_20251026_110000';
const OPTIONS: AlertOptionsInput = { orderFailure: { threshold: 0.5, windowS: 600, minIntents: 3 } };

/** Every rule fires once: a config drift, a FATAL, a loop reported dead, a silence, an order failure rate. */
function incidents(): Scenario {
  const s = new Scenario(tempDir('tradetrace-alert-ids-'));
  s.at(0).start(S1, 'aaaaaaaaaaaaaaaa').end(S1);
  s.at(3_600_000).start(S2, 'bbbbbbbbbbbbbbbb');
  s.emit(S2, 'CONFIG_DIFF', {
    message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb',
    prev_session: S1, changes: [{ path: 'risk.max_open_positions', from: 3, to: 5 }],
  });
  for (let i = 1; i <= 3; i++) s.at(3_600_000 + i * 1000).heartbeat(S2);
  s.at(3_604_000).heartbeat(S2, { DecisionLoop: false });
  s.at(3_604_100).intent(S2, 'int_0000000000000001', 'failed');
  s.at(3_604_200).intent(S2, 'int_0000000000000002', 'failed');
  s.at(3_604_300).intent(S2, 'int_0000000000000003', 'filled');
  s.at(3_604_500).emit(S2, 'FATAL', { origin: 'engine', error_code: 'E_BOOM', message: 'boom' });
  // Then silence: no heartbeat after +3604 s, the 1 s x 3 deadline passes at +3607 s.
  s.close();
  return s;
}

const NOW = T0 + 3_700_000;

/** rule/subject -> the id of its firing. */
function firedIds(transitions: readonly AlertTransition[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const t of transitions) if (t.kind === 'fired') ids[`${t.rule} ${t.subject}`] = t.alertId;
  return ids;
}

describe('alert ids: the same incident has the same id in every reader', () => {
  it('tradetrace alerts gives the same ids every time it reads the same logs, in the alt_ + 16 hex format', async () => {
    const s = incidents();
    const runs = await Promise.all([1, 2, 3].map(() => evaluatePastLogs(s.logsDir, { nowMs: NOW, options: OPTIONS })));
    const ids = runs.map((r) => firedIds(r.transitions));
    expect(Object.keys(ids[0] ?? {}).sort()).toEqual([
      'config_drift config', `fatal ${S2}`, `heartbeat_missing ${S2}`, `heartbeat_missing ${S2}/DecisionLoop`, 'order_failure_rate orders',
    ]);
    for (const id of Object.values(ids[0] ?? {})) expect(id).toMatch(/^alt_[0-9a-f]{16}$/);
    expect(new Set(Object.values(ids[0] ?? {})).size).toBe(5);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    // Evaluated later (a different "now"), the past incidents keep their ids.
    expect(firedIds((await evaluatePastLogs(s.logsDir, { nowMs: NOW + 86_400_000, options: OPTIONS })).transitions)).toEqual(ids[0]);
  });

  it('the in-bot engine (lines as emitted: no line numbers, bare file names) and alerts --follow give the ids tradetrace alerts gives', async () => {
    const s = incidents();
    const replay = firedIds((await evaluatePastLogs(s.logsDir, { nowMs: NOW, options: OPTIONS })).transitions);

    // In the bot: the lines come through recorder.onLine, before any reader numbered them.
    const inBot = new AlertEngine({ options: OPTIONS });
    const seen: AlertTransition[] = [];
    for await (const o of replayLogs(s.logsDir)) {
      const asEmitted: Observation = { line: o.line, file: basename(o.file) };
      seen.push(...inBot.observe(asEmitted));
    }
    seen.push(...inBot.advance(NOW));
    expect(firedIds(seen)).toEqual(replay);

    // The watcher catching up on the logs writes the alerts still open, with the same ids.
    const recorder = new Recorder({ sessionId: 'watcher_20251026_120000_1', sink: new FileSink(s.logsDir), now: () => NOW });
    const watcher = new AlertWatcher({ dataDir: join(s.logsDir, '..'), recorder, options: OPTIONS, now: () => NOW, isAlive: () => true });
    const written = watcher.poll();
    await watcher.stop();
    recorder.close();
    const open = firedIds(written);
    expect(Object.keys(open).length).toBeGreaterThan(0);
    for (const [key, id] of Object.entries(open)) expect(replay[key]).toBe(id);
  });

  it("a bot that died: the watcher's pid probe and the heartbeat deadline name the same incident with one id", async () => {
    const s = new Scenario(tempDir('tradetrace-alert-ids-'));
    s.at(0).start(S1);
    for (let i = 1; i <= 3; i++) s.at(i * 1000).heartbeat(S1);
    s.close();
    const deadline = firedIds((await evaluatePastLogs(s.logsDir, { nowMs: T0 + 60_000 })).transitions)[`heartbeat_missing ${S1}`];
    // The watcher sees the pid gone at +4 s, before the deadline (+6 s).
    const engine = new AlertEngine();
    for await (const o of replayLogs(s.logsDir)) engine.observe(o);
    engine.advance(T0 + 4000);
    const gone = engine.sessionGone(S1, { file: 'manifest.json', event_type: 'manifest', ts: new Date(T0).toISOString(), id: S1 }, T0 + 4000);
    expect(gone.map((t) => [t.kind, t.rule, t.subject])).toEqual([['fired', 'heartbeat_missing', S1]]);
    expect(deadline).toMatch(/^alt_[0-9a-f]{16}$/);
    expect(gone[0]?.alertId).toBe(deadline);
  });
});
