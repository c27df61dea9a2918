import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';

describe('sessions of a session whose wall clock was stepped while it ran', () => {
  it('shows how long it ran (SESSION_END duration_ms, monotonic), and that its stamps disagree, not end - start', async () => {
    const dir = tempDir('tt-sessions-step-');
    let wall = Date.parse('2025-10-26T11:00:00.000Z');
    const recorder = new Recorder({ sessionId: 'session_20251026_110000', sink: new FileSink(join(dir, 'logs')), now: () => wall });
    recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: 4242, host: 'elsewhere', data_dir: dir, config_hash: '0123456789abcdef' });
    // 40 s of running, during which NTP set the clock back an hour.
    wall += 40_000 - 3_600_000;
    recorder.emit('SESSION_END', { reason: 'duration_reached', exit_code: 0, duration_ms: 40_000 });
    recorder.close();
    const text = await runQuery(['sessions', '--data-dir', dir]);
    expect(text.stdout).toContain('2025-10-26 11:00:00.000Z -> 2025-10-26 10:00:40.000Z (40s; its end is stamped 59m 20s before its start: the wall clock was moved meanwhile)');
    const json = await runQuery(['sessions', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout) as unknown).toMatchObject({ sessionId: 'session_20251026_110000', durationMs: 40_000 });
  });
});
