import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from './file-sink.js';
import { RecorderError } from './recorder-error.js';

function openFails(logsDir: string): RecorderError {
  try {
    new FileSink(logsDir).close();
  } catch (error) {
    if (error instanceof RecorderError) return error;
    throw error;
  }
  throw new Error(`FileSink opened ${logsDir}`);
}

describe('FileSink: a file where the log directory should be', () => {
  it('says logs is a file, not a directory, and to move it aside (was "EEXIST: file already exists, mkdir")', () => {
    const logsDir = join(tempDir(), 'logs');
    writeFileSync(logsDir, 'not a directory\n');
    const error = openFails(logsDir);
    expect(error.code).toBe('open_failed');
    expect(error.message).toBe(`cannot create log directory ${logsDir}: ${logsDir} is a file, not a directory: move it aside or use another --data-dir`);
    expect(error.message).not.toContain('EEXIST');
  });

  it('names the data directory when it is the file', () => {
    const dataDir = join(tempDir(), 'data');
    writeFileSync(dataDir, '');
    const error = openFails(join(dataDir, 'logs'));
    expect(error.message).toBe(`cannot create log directory ${join(dataDir, 'logs')}: ${dataDir} is a file, not a directory: move it aside or use another --data-dir`);
  });
});
