import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { BeatBoard } from './beat-board.js';
import { readLog } from './fixtures/child-run.js';
import { HeartbeatWatchdog } from './heartbeat-watchdog.js';

const heartbeats = (logs: string): number => readLog(logs, 'system').filter((l) => l['event_type'] === 'SHUTDOWN_HEARTBEAT').length;

describe('the watchdog thread once the shutdown is complete', () => {
  // A thread still starting when the shutdown began gets its stop message only once it is up: its
  // timer can fire first, and a heartbeat after SHUTDOWN_COMPLETE reads as a session still running.
  it('writes no heartbeat, even before its stop message reaches it', async () => {
    const logs = join(tempDir('tradetrace-after-complete-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
    const board = new BeatBoard().init();
    const watchdog = await HeartbeatWatchdog.start({ recorder, logsDir: logs, board, intervalMs: 10, recentBeats: 8, eventLoopProbeMs: 10 });
    try {
      // Beating while the session runs...
      for (let waited = 0; heartbeats(logs) === 0 && waited < 20_000; waited += 10) await sleep(10);
      expect(heartbeats(logs)).toBeGreaterThan(0);
      board.requestShutdown();
      board.completeShutdown();
      // ...and silent once the record is final: let any heartbeat in flight land, then count.
      await sleep(30);
      const atComplete = heartbeats(logs);
      await sleep(200);
      expect(heartbeats(logs)).toBe(atComplete);
    } finally {
      await watchdog.stop();
      recorder.close();
    }
  });
});
