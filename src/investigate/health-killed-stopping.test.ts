import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';

const SESSION = 'session_20251026_100000';

/** A session a supervisor stopped (SIGTERM) and, its stop timeout spent, killed before the shutdown ended. */
function writeKilledWhileStopping(dataDir: string, stopBegan: boolean): void {
  let ms = Date.parse('2025-10-26T10:00:00.000Z');
  const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(join(dataDir, 'logs')), now: () => (ms += 10) });
  recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: 4242, host: 'bot-host', data_dir: dataDir, config_hash: '0123456789abcdef' });
  recorder.emit('FEED_START', { kind: 'replay', symbols: ['BTC/USD'], sources: ['btc.csv'], speed: 'max', interval_s: 60 });
  if (stopBegan) {
    recorder.emit('SHUTDOWN_REQUESTED', { reason: 'SIGTERM', running: ['engine', 'market_data'] });
    recorder.emit('FEED_END', { reason: 'stopped', symbols: ['BTC/USD'], bars: 20_000, gaps: 0, missing_bars: 0, duration_ms: 900 });
  }
  recorder.close();
}

describe('health of a session killed while it stopped (a stop timeout shorter than its shutdown)', () => {
  it('says the shutdown began, when and why, and that the process was killed before it ended', async () => {
    const dir = tempDir('tt-killed-stopping-');
    writeKilledWhileStopping(dir, true);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('KILLED WHILE STOPPING: a shutdown began at 2025-10-26 10:00:00.030Z (SHUTDOWN_REQUESTED, reason SIGTERM), but neither SHUTDOWN_COMPLETE nor SESSION_END followed: the process was killed before it had stopped');
    expect(r.stdout).not.toContain('died without a trace');
  });

  it('without a SHUTDOWN_REQUESTED it is still a death with no trace', async () => {
    const dir = tempDir('tt-killed-stopping-');
    writeKilledWhileStopping(dir, false);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('NO CLEAN END: no SESSION_END or SHUTDOWN_COMPLETE; the process died without a trace');
  });
});
