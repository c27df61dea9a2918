import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { newStats } from './query/find-events.js';
import { checkHealth } from './query/health-query.js';
import { openLogSet } from './query/log-set.js';
import { SkippedLines } from './query/skipped-lines.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

const SESSION = 'session_20251026_100000';
const START = '2025-10-26T10:00:00.000Z';
const CONFIG = { ...BASE_CONFIG, runtime: { heartbeat_interval: '5s', stall_multiple: 3 } };

interface Beat {
  /** Loops reported not alive (the others alive). */
  readonly dead?: readonly string[];
  readonly blockedMs?: number;
  /** stats.paused_ms; undefined: a bot from before it was written. */
  readonly pausedMs?: number;
  readonly pauses?: number;
  readonly ageS?: number;
}

/** A heartbeat as the watchdog writes it, with DustSweeper and LiveDashboard. */
function beat(s: SessionWriter, b: Beat = {}): void {
  const names = ['DustSweeper', 'LiveDashboard'];
  s.emit('SHUTDOWN_HEARTBEAT', {
    registered_components: ['engine'],
    registered_threads: names.map((name) => ({ name, alive: !(b.dead ?? []).includes(name), daemon: true, last_beat_age_s: b.ageS ?? 0.4, period_s: 1 })),
    recent_heartbeats: [],
    last_heartbeat_age_s: b.ageS ?? 0.4,
    shutdown_requested: false,
    event_loop_blocked_ms: b.blockedMs ?? 0,
    trigger: 'interval',
    stats: { shutdown_requests: 0, loops_registered: 2, ...(b.pausedMs === undefined ? {} : { paused_ms: b.pausedMs, pauses: b.pauses ?? 0 }) },
  });
}

/**
 * A paper session with 5 s heartbeats, stopped with `kill -STOP` 15.2 s in for 99.5 s, then resumed
 * (`after`: what the first heartbeat after the stop said), and ended cleanly 20 s later.
 */
function stoppedSession(dataDir: string, after: Beat): SessionWriter {
  const s = new SessionWriter({ dataDir, sessionId: SESSION, start: new Date(START), config: CONFIG });
  for (let i = 0; i < 3; i++) {
    s.tick(5000);
    beat(s, { pausedMs: 0 });
  }
  s.tick(99_500);
  beat(s, after);
  for (let i = 0; i < 4; i++) {
    s.tick(5000);
    beat(s, { pausedMs: 0, pauses: 1 });
  }
  s.tick(300).end('duration_reached');
  return s;
}

describe('health: the longest silence between heartbeats', () => {
  it('a session stopped 99.5 s and then ended cleanly: ENDED CLEANLY, and the silence, when, how long, and that the process was stopped', async () => {
    const dir = tempDir('tt-health-silence-');
    stoppedSession(dir, { pausedMs: 99_250, pauses: 1 });
    const report = await checkHealth(openLogSet(dir), SESSION, new SkippedLines(), newStats());
    expect(report?.verdict).toBe('ended_cleanly');
    expect(report?.longestSilence).toMatchObject({ seconds: 99.5, deadlineS: 15, pausedMs: 99_250, eventLoopBlockedMs: 0, deadLoops: [], cause: 'process_stopped' });
    expect(report?.longestSilence?.before.event.ts).toBe('2025-10-26T10:00:15.000Z');
    expect(report?.longestSilence?.after.event.ts).toBe('2025-10-26T10:01:54.500Z');
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('ENDED CLEANLY');
    expect(r.stdout).toContain('heartbeats stopped for 1m 39s, from 2025-10-26 10:00:15.000Z to 2025-10-26 10:01:54.500Z (over the 15s stall deadline): the process was not running for 1m 39s of it (stopped: SIGSTOP or Ctrl-Z, a debugger, a suspended machine), not hung\n');
  });

  it('--json prints the two heartbeats around the silence, between SESSION_START and the last heartbeat', async () => {
    const dir = tempDir('tt-health-silence-json-');
    stoppedSession(dir, { pausedMs: 99_250, pauses: 1 });
    const r = await runQuery(['health', '--json', '--data-dir', dir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event_type: string; ts: string; stats?: Record<string, number> });
    expect(lines.map((l) => [l.event_type, l.ts])).toEqual([
      ['SESSION_START', START],
      ['SHUTDOWN_HEARTBEAT', '2025-10-26T10:00:15.000Z'],
      ['SHUTDOWN_HEARTBEAT', '2025-10-26T10:01:54.500Z'],
      ['SHUTDOWN_HEARTBEAT', '2025-10-26T10:02:14.500Z'],
      ['SHUTDOWN_COMPLETE', '2025-10-26T10:02:14.920Z'],
      ['SESSION_END', '2025-10-26T10:02:14.920Z'],
    ]);
    expect(lines[2]?.stats?.['paused_ms']).toBe(99_250);
  });

  it('the heartbeats of a bot that does not write paused_ms: the silence, and that they cannot tell a stop from a hang', async () => {
    const dir = tempDir('tt-health-silence-old-');
    // As the explorer's first run wrote it: a 99.5 s "blocked" event loop and both loops dead.
    stoppedSession(dir, { blockedMs: 99_501, dead: ['DustSweeper', 'LiveDashboard'], ageS: 99.6 });
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('heartbeats stopped for 1m 39s, from 2025-10-26 10:00:15.000Z to 2025-10-26 10:01:54.500Z (over the 15s stall deadline): the watchdog thread, which writes even while the main thread hangs, did not write: the whole process was stopped (SIGSTOP, a debugger, a suspended machine) or its watchdog could not write; this bot\'s heartbeats do not say which. The heartbeat after it reported the event loop blocked for 1m 39s and DustSweeper, LiveDashboard not alive, which a stop of the whole process also reads as\n');
  });

  it('a silence the process ran through: the watchdog wrote nothing though it ran', async () => {
    const dir = tempDir('tt-health-silence-watchdog-');
    stoppedSession(dir, { pausedMs: 0, blockedMs: 0 });
    const report = await checkHealth(openLogSet(dir), SESSION, new SkippedLines(), newStats());
    expect(report?.longestSilence?.cause).toBe('watchdog_silent');
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('(over the 15s stall deadline): the process was running (the heartbeat after it saw no pause), yet its watchdog wrote no heartbeat');
  });

  it('the interval is the configured one: not the upper median of a 5 s gap and a 45 s one', async () => {
    const dir = tempDir('tt-health-silence-interval-');
    const s = new SessionWriter({ dataDir: dir, sessionId: SESSION, start: new Date(START), config: CONFIG });
    s.tick(5000);
    beat(s, { pausedMs: 0 });
    s.tick(5000);
    beat(s, { pausedMs: 0 });
    s.tick(45_138);
    beat(s, { pausedMs: 44_900, pauses: 1 });
    s.tick(300).end('duration_reached');
    const report = await checkHealth(openLogSet(dir), SESSION, new SkippedLines(), newStats());
    expect([report?.periodS, report?.periodFrom, report?.observedPeriodS]).toEqual([5, 'config', 5]);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain(', 3 heartbeats in the session, every 5s (configured)\n');
    expect(r.stdout).not.toContain('45.138s\n');
    expect(r.stdout).toContain('heartbeats stopped for 45.138s');
  });

  it('says nothing of a silence when every gap stayed within the stall deadline', async () => {
    const dir = tempDir('tt-health-silence-none-');
    const s = new SessionWriter({ dataDir: dir, sessionId: SESSION, start: new Date(START), config: CONFIG });
    for (let i = 0; i < 4; i++) {
      s.tick(i === 2 ? 14_000 : 5000);
      beat(s, { pausedMs: 0 });
    }
    s.tick(300).end('duration_reached');
    const report = await checkHealth(openLogSet(dir), SESSION, new SkippedLines(), newStats());
    expect(report?.longestSilence).toBeNull();
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).not.toContain('heartbeats stopped');
  });
});
