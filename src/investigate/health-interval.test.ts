import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { newStats } from './query/find-events.js';
import { checkHealth } from './query/health-query.js';
import { openLogSet } from './query/log-set.js';
import { SkippedLines } from './query/skipped-lines.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter, type ThreadState } from './testing/session-writer.js';

const SESSION = 'session_20251026_100000';
const CONFIG = { ...BASE_CONFIG, runtime: { heartbeat_interval: '30s' } };
const alive: ThreadState[] = [{ name: 'DecisionLoop', alive: true, lastBeatAgeS: 0.2 }];

/**
 * A paper session stopped with Ctrl-C 34 s in, as the bot writes it: the watchdog's heartbeat at
 * 30 s, then, 2.806 s later, the one written as shutdown begins. With `hang`, the process stopped
 * writing there, in its shutdown (no SHUTDOWN_COMPLETE, no SESSION_END).
 */
function sigintAfter34s(dataDir: string, config: Record<string, unknown>, hang = false): void {
  const s = new SessionWriter({ dataDir, sessionId: SESSION, start: new Date('2025-10-26T10:00:00.000Z'), config });
  s.tick(30_000).heartbeat(alive);
  if (hang) {
    s.tick(2806).emit('SHUTDOWN_REQUESTED', { reason: 'SIGINT', running: ['engine'] });
    s.heartbeat(alive, 'shutdown');
    s.abandon();
    return;
  }
  s.tick(2806).heartbeat(alive, 'shutdown');
  s.tick(1000).end('signal');
}

describe('health: the heartbeat interval comes from the periodic heartbeats only', () => {
  it('a short session stopped by SIGINT: not the 2.806 s gap to the shutdown heartbeat, but the configured 30 s', async () => {
    const dir = tempDir('tt-health-interval-');
    sigintAfter34s(dir, CONFIG);
    const report = await checkHealth(openLogSet(dir), SESSION, new SkippedLines(), newStats());
    expect([report?.heartbeats, report?.periodicHeartbeats, report?.periodS, report?.periodFrom]).toEqual([2, 1, 30, 'config']);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain(', 2 heartbeats in the session (1 at shutdown), every 30s (configured)\n');
    expect(r.stdout).not.toContain('2.806s');
  });

  it('says nothing about an interval when fewer than two periodic heartbeats were written and the config names none', async () => {
    const dir = tempDir('tt-health-interval-none-');
    sigintAfter34s(dir, BASE_CONFIG);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain(', 2 heartbeats in the session (1 at shutdown)\n');
    expect(r.stdout).not.toContain('every');
  });

  it('without an interval in the config: the median gap between periodic heartbeats, leaving the shutdown one out', async () => {
    const dir = tempDir('tt-health-interval-long-');
    const s = new SessionWriter({ dataDir: dir, sessionId: SESSION, start: new Date('2025-10-26T10:00:00.000Z'), config: BASE_CONFIG });
    for (let i = 0; i < 3; i++) s.tick(30_010).heartbeat(alive);
    s.tick(1200).heartbeat(alive, 'shutdown');
    s.tick(500).end('signal');
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain(', 4 heartbeats in the session (1 at shutdown), every 30.01s\n');
  });

  it('with the interval in the config: that interval, and the gaps only when they kept another pace', async () => {
    const dir = tempDir('tt-health-interval-config-');
    const s = new SessionWriter({ dataDir: dir, sessionId: SESSION, start: new Date('2025-10-26T10:00:00.000Z'), config: CONFIG });
    for (let i = 0; i < 3; i++) s.tick(30_010).heartbeat(alive);
    for (let i = 0; i < 3; i++) s.tick(40_000).heartbeat(alive);
    s.tick(500).end('signal');
    const r = await runQuery(['health', '--data-dir', dir]);
    // Gaps 30.01, 30.01, 40, 40, 40: typically 40 s apart, a third more than configured.
    expect(r.stdout).toContain(', 6 heartbeats in the session, every 30s (configured; typically 40s apart)\n');
  });

  it('a session that hung in its shutdown: "heartbeats stopped" expects the real interval, not the gap to the shutdown heartbeat', async () => {
    const dir = tempDir('tt-health-interval-hung-');
    sigintAfter34s(dir, CONFIG, true);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toMatch(/heartbeats stopped: none for .* \(expected every 30s\)/);
    expect(r.stdout).not.toContain('expected every 2.806s');
  });
});
