import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { LogReadError, toLogReadError } from './log-read-error.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('toLogReadError', () => {
  const dir = tempDir('tt-read-error-');
  const file = join(dir, 'afile');
  writeFileSync(file, 'hi\n');

  it('names the path, the problem in words and the system code of a real error', () => {
    const notDir = toLogReadError(thrown(() => readdirSync(join(file, 'logs'))));
    expect(notDir).toBeInstanceOf(LogReadError);
    expect(notDir).toMatchObject({ code: 'log_unreadable', errno: 'ENOTDIR', path: join(file, 'logs') });
    expect(notDir?.message).toBe(`cannot read ${join(file, 'logs')}: not a directory (ENOTDIR)`);
    // Root reads a chmod 000 file, but cannot execute a file with no execute bit: a real EACCES either way.
    const denied = toLogReadError(thrown(() => execFileSync(file)), file);
    expect(denied?.errno).toBe('EACCES');
    expect(denied?.message).toMatch(/^cannot read .*afile: permission denied \(EACCES\)$/);
  });

  it('takes the path from the caller when the error has none, and leaves bugs alone', () => {
    mkdirSync(join(dir, 'd.jsonl'));
    const isDir = thrown(() => readFileSync(join(dir, 'd.jsonl')));
    expect(toLogReadError(isDir)).toBeNull();
    expect(toLogReadError(isDir, join(dir, 'd.jsonl'))?.message).toBe(`cannot read ${join(dir, 'd.jsonl')}: is a directory, not a file (EISDIR)`);
    expect(toLogReadError(new TypeError('x is undefined'), file)).toBeNull();
    expect(toLogReadError('a string', file)).toBeNull();
  });
});
