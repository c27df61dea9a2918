import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { newStats } from './find-events.js';
import { checkHealth } from './health-query.js';
import { openLogSet } from './log-set.js';
import { SkippedLines } from './skipped-lines.js';

const SESSION = 'session_20251026_100000';
const START = Date.parse('2025-10-26T10:00:00.000Z');

/**
 * A session whose wall clock went back an hour 8 s in: 4 heartbeats with every loop alive, then 6
 * (stamped an hour earlier, but written later) in which MarketDataLoop has stopped beating, then a
 * FATAL on each side of the step. Its lines' ts are not in written order; their seq is.
 */
function writeSteppedSession(dataDir: string): void {
  let wall = START;
  const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(join(dataDir, 'logs')), now: () => wall });
  recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: 4242, host: 'elsewhere', data_dir: dataDir, config_hash: '0123456789abcdef' });
  const heartbeat = (marketAlive: boolean, silentS: number): void => {
    recorder.emit('SHUTDOWN_HEARTBEAT', {
      registered_components: ['engine'],
      registered_threads: [
        { name: 'MarketDataLoop', alive: marketAlive, daemon: false, last_beat_age_s: silentS, period_s: 1 },
        { name: 'DecisionLoop', alive: true, daemon: false, last_beat_age_s: 0.5, period_s: 1 },
      ],
      recent_heartbeats: [{ name: 'DecisionLoop', ts: new Date(wall - 500).toISOString() }],
      last_heartbeat_age_s: 0.5,
      shutdown_requested: false,
      event_loop_blocked_ms: 0,
      trigger: 'interval',
      stats: { beats_received: 10, loops_stalled: marketAlive ? 0 : 1 },
    });
  };
  for (let i = 1; i <= 4; i++) {
    wall = START + i * 2000;
    heartbeat(true, 0.5);
  }
  wall += 500;
  recorder.emit('FATAL', { origin: 'uncaughtException', error_code: 'E_BEFORE', message: 'written before the step' });
  wall -= 3_600_000;
  for (let i = 1; i <= 6; i++) {
    wall += 2000;
    heartbeat(false, 2 * i);
  }
  recorder.emit('FATAL', { origin: 'uncaughtException', error_code: 'E_AFTER', message: 'written after the step' });
  recorder.close();
}

describe('checkHealth on a session whose wall clock stepped back', () => {
  it('takes the last heartbeat and the last FATAL in written order (seq), not the one with the latest ts', async () => {
    const dir = tempDir('tt-health-step-');
    writeSteppedSession(dir);
    const report = await checkHealth(openLogSet(dir), SESSION, new SkippedLines(), newStats());
    expect(report?.heartbeats).toBe(10);
    const last = report?.lastHeartbeat?.event;
    expect(last?.ts).toBe(new Date(START + 8500 - 3_600_000 + 12_000).toISOString());
    expect(report?.loops.map((l) => [l.name, l.alive, l.lastBeatAgeS])).toEqual([
      ['MarketDataLoop', false, 12],
      ['DecisionLoop', true, 0.5],
    ]);
    // The dead streak starts at the first heartbeat written after the step, not at one ordered by ts.
    expect(report?.loops[0]?.firstSeenDead).toBe(new Date(START + 8500 - 3_600_000 + 2000).toISOString());
    expect(report?.fatal?.event).toMatchObject({ error_code: 'E_AFTER' });
    expect(report?.start?.event.event_type).toBe('SESSION_START');
    expect(report?.verdict).toBe('died_fatal');
  });

  it('shows the stopped loop in `health`, which named the last heartbeat before the step and called every loop alive', async () => {
    const dir = tempDir('tt-health-step-');
    writeSteppedSession(dir);
    const r = await runQuery(['health', '--data-dir', dir, '--session', SESSION]);
    expect(r.stdout).toMatch(/MarketDataLoop +STOPPED/);
    expect(r.stdout).toContain(`last heartbeat: ${new Date(START + 8500 - 3_600_000 + 12_000).toISOString().replace('T', ' ')}`);
  });
});
