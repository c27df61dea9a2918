import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { readLog, runChild } from './fixtures/child-run.js';

const CHILD = resolve(import.meta.dirname, 'fixtures/shutdown-child.ts');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Line = Record<string, unknown>;
const threads = (line: Line): { name: string; alive: boolean }[] => (line['registered_threads'] ?? []) as { name: string; alive: boolean }[];

describe('a bot stopped with SIGSTOP and resumed with SIGCONT', () => {
  it('the first heartbeat after each stop reports the pause, not a blocked event loop or dead loops', async () => {
    const logs = join(tempDir('tradetrace-stopped-'), 'logs');
    // Heartbeats every 100 ms, an event-loop probe every 20 ms, loops beating every 30 and 40 ms.
    const run = runChild(CHILD, [logs, 'clean']);
    await run.waitFor('ready');
    await sleep(500);
    // After SIGCONT both threads run at once: whether the watchdog's late heartbeat or the main
    // thread's probe came first decided what the heartbeat said (99 s blocked and every loop dead,
    // or 0 and every loop alive). Three stops: each must say the same.
    for (let i = 0; i < 3; i++) {
      run.child.kill('SIGSTOP');
      await sleep(1500);
      run.child.kill('SIGCONT');
      await sleep(500);
    }
    run.child.kill('SIGTERM');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const beats = readLog(logs, 'system').filter((l) => l['event_type'] === 'SHUTDOWN_HEARTBEAT' && l['trigger'] === 'interval');
    const afterStop = beats.filter((l, i) => i > 0 && Date.parse(String(l['ts'])) - Date.parse(String(beats[i - 1]?.['ts'])) > 1000);
    const said = afterStop.map((l) => ({ blocked: l['event_loop_blocked_ms'], alive: threads(l).every((t) => t.alive), stats: l['stats'] }));
    expect(afterStop, JSON.stringify(said)).toHaveLength(3);
    for (const line of afterStop) {
      expect(line['event_loop_blocked_ms'], JSON.stringify(said)).toBe(0);
      expect(threads(line).every((t) => t.alive), JSON.stringify(said)).toBe(true);
      const stats = line['stats'] as Record<string, number>;
      // The stop, less the probe period the watchdog may still have run of it, and the time the
      // signals took to arrive.
      expect(stats['paused_ms'], JSON.stringify(said)).toBeGreaterThan(1200);
      expect(stats['paused_ms'], JSON.stringify(said)).toBeLessThan(2000);
    }
    // Counted for the session (a loaded machine that starves the process can add one of its own).
    const pauses = afterStop.map((l) => Number((l['stats'] as Record<string, number>)['pauses']));
    expect(pauses[0]).toBeGreaterThanOrEqual(1);
    expect(pauses[1]).toBeGreaterThan(pauses[0] ?? Infinity);
    expect(pauses[2]).toBeGreaterThan(pauses[1] ?? Infinity);
  }, 30_000);
});
