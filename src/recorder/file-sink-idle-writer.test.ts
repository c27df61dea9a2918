import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from './file-sink.js';
import { listLogFiles } from './log-files.js';
import { RecorderError } from './recorder-error.js';

/** Every line of the alerts channel, plain or gzipped, oldest file first. */
function alertLines(logs: string): string[] {
  return listLogFiles(logs, ['alerts']).flatMap((f) => {
    const bytes = readFileSync(f.path);
    return (f.gzipped ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((l) => l !== '');
  });
}

const line = (n: string): string => `{"n":"${n}"}\n`;

describe('FileSink: a writer idle while another one rotates and compresses their shared file', () => {
  // `tradetrace alerts --follow` and the bot's in-bot alerts both append to alerts.jsonl; the bot
  // rotates it and gzips the rotated file a grace period later (recorder.compress_after).
  it('writes its next line into the new file, not into the removed one, and loses none', async () => {
    const logs = join(tempDir('tt-idle-writer-'), 'logs');
    const idle = new FileSink(logs, { checkEveryMs: 50 });
    const failures: string[] = [];
    const rotating = new FileSink(logs, { rotateBytes: 1, checkEveryLines: 1, compressRotated: { graceMs: 0, onFailure: (path, error) => failures.push(`${path}: ${String(error)}`) } });
    try {
      idle.write('alerts', line('idle 1'), false);
      idle.write('alerts', line('idle 2'), false);
      // Longer than checkEveryMs: the idle writer's last lines have been checked by its timer.
      await sleep(150);
      rotating.write('alerts', line('rotating 1'), false);
      await rotating.compression?.idle();
      rotating.write('alerts', line('rotating 2'), false);
      await rotating.compression?.idle();
      expect(failures).toEqual([]);
      expect(readdirSync(logs).filter((n) => n.endsWith('.jsonl.gz'))).toHaveLength(2);
      idle.write('alerts', line('idle 3'), false);
      idle.write('alerts', line('idle 4'), false);
    } finally {
      idle.close();
      rotating.close();
    }
    expect(alertLines(logs).sort()).toEqual(['idle 1', 'idle 2', 'idle 3', 'idle 4', 'rotating 1', 'rotating 2'].map((n) => line(n).trimEnd()).sort());
  });

  it('in buffered mode too: its pending lines go to the new file', async () => {
    const logs = join(tempDir('tt-idle-writer-buffered-'), 'logs');
    const idle = new FileSink(logs, { mode: 'buffered', checkEveryMs: 50 });
    const rotating = new FileSink(logs, { rotateBytes: 1, checkEveryLines: 1, compressRotated: { graceMs: 0, onFailure: () => undefined } });
    try {
      idle.write('alerts', line('idle 1'), false);
      idle.flush();
      await sleep(150);
      rotating.write('alerts', line('rotating 1'), false);
      await rotating.compression?.idle();
      idle.write('alerts', line('idle 2'), false);
      idle.flush();
    } finally {
      idle.close();
      rotating.close();
    }
    expect(alertLines(logs).sort()).toEqual(['idle 1', 'idle 2', 'rotating 1'].map((n) => line(n).trimEnd()).sort());
  });

  it('a file deleted right after a line was written into it: the next write says so (lines may be lost) instead of going on', async () => {
    const logs = join(tempDir('tt-idle-writer-deleted-'), 'logs');
    const sink = new FileSink(logs, { checkEveryMs: 50 });
    try {
      sink.write('alerts', line('1'), false);
      unlinkSync(join(logs, 'alerts.jsonl'));
      await sleep(150);
      let error: unknown;
      try {
        sink.write('alerts', line('2'), false);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(RecorderError);
      expect(error).toMatchObject({ code: 'write_failed', details: { errno: 'ENOENT' } });
      // Said once: the writer goes on in a new file.
      sink.write('alerts', line('3'), false);
      expect(alertLines(logs)).toEqual([line('3').trimEnd()]);
    } finally {
      sink.close();
    }
  });
});
