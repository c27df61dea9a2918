import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeOrderFailures } from '../../investigate/testing/incidents.js';
import { run } from './alerts.js';

describe('alerts into a pipe the reader closed (alerts | head -1)', () => {
  it('stops writing quietly, as the other commands do: an unguarded stdout crashed on the EPIPE error event', async () => {
    const dir = tempDir('tt-alerts-epipe-');
    writeOrderFailures(dir);
    let writes = 0;
    // Every write fails as a closed pipe's does: the error comes as an 'error' event on the stream.
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    let stderr = '';
    const io = { stdout, stderr: new Writable({ write: (chunk: Buffer, _e, cb) => { stderr += chunk.toString(); cb(); } }), env: {}, cwd: dir };
    const code = await run(['--json', '--data-dir', dir], io);
    await new Promise((resolve) => setImmediate(resolve));
    expect(code).toBe(0);
    expect(writes).toBe(1);
    expect(stderr).toBe('');
  });
});
