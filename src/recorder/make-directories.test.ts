import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { makeDirectories, whyNoDirectory } from './make-directories.js';

const ROOT = resolve(import.meta.dirname, '../..');
// A directory that exists and answers ENOENT to any mkdir inside it (procfs).
const procSelf = process.platform === 'linux' && existsSync('/proc/self/status');

describe('makeDirectories', () => {
  it('makes every missing level, and leaves an existing directory be', () => {
    const path = join(tempDir(), 'a', 'b', 'c');
    makeDirectories(path);
    makeDirectories(path);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('names a file in the way, itself or a parent, as a file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'logs'), '');
    expect(() => makeDirectories(join(dir, 'logs'))).toThrow(`${join(dir, 'logs')} is a file, not a directory: move it aside or use another --data-dir`);
    expect(() => makeDirectories(join(dir, 'logs', 'x'))).toThrow(`${join(dir, 'logs')} is a file, not a directory`);
    expect(whyNoDirectory(join(dir, 'logs', 'x'))).toBe(`${join(dir, 'logs')} is a file, not a directory: move it aside or use another --data-dir`);
    mkdirSync(join(dir, 'ok'));
    expect(whyNoDirectory(join(dir, 'ok', 'new'))).toBeUndefined();
  });

  it.skipIf(!procSelf)('ends at once under /proc/self, naming the path (recursive mkdirSync spun forever there)', () => {
    // In a child with a deadline: the old way never returns, and ignores SIGTERM.
    const script = `import { makeDirectories } from ${JSON.stringify(join(ROOT, 'src/recorder/make-directories.ts'))};
try { makeDirectories('/proc/self/sessions'); console.error('made'); } catch (error) { console.error(error.message); process.exit(3); }`;
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect(child.signal, 'killed at the deadline: still making /proc/self/sessions').toBeNull();
    expect(child.status, child.stderr).toBe(3);
    expect(child.stderr).toContain('cannot make /proc/self/sessions: /proc/self is a directory that takes no new entries');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
