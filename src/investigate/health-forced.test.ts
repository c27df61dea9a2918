import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';

const SESSION = 'session_20251026_100000';

/** A session whose shutdown a second SIGINT cut short, as the coordinator and the paper session record it. */
function writeForcedStop(dataDir: string): string {
  let ms = Date.parse('2025-10-26T10:00:00.000Z');
  const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(join(dataDir, 'logs')), now: () => (ms += 10) });
  recorder.emit('SESSION_START', { mode: 'paper', version: '0.1.0', pid: 4242, host: 'bot-host', data_dir: dataDir, config_hash: '0123456789abcdef' });
  recorder.emit('SHUTDOWN_REQUESTED', { reason: 'SIGINT', running: ['engine'] });
  const message = 'SIGINT during shutdown forced exit 130 while engine was stopping; not stopped: engine';
  recorder.emit('SHUTDOWN_REQUESTED', { reason: 'SIGINT', running: ['engine'], forced: true });
  recorder.emit('SHUTDOWN_COMPLETE', { components: [{ name: 'engine', result: 'timeout', duration_ms: 1000 }], exit_code: 130, duration_ms: 1000 });
  recorder.emit('SESSION_END', { reason: 'signal', exit_code: 130, duration_ms: 2000, error_code: 'shutdown_forced', message });
  recorder.close();
  return message;
}

describe('health of a session stopped by a second signal', () => {
  it('says the operator forced the stop and what was cut short, not an unexplained error', async () => {
    const dir = tempDir('tt-forced-');
    const message = writeForcedStop(dir);
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain(`STOPPED BY FORCE: a second signal cut the shutdown short, exit code 130: ${message}`);
    expect(r.stdout).not.toContain('ENDED WITH AN ERROR');
  });
});
