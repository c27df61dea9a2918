import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { PaperStateFile } from '../execution/paper/paper-state-file.js';
import { StateStore } from './state-store.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NOBODY = 65534;
const AS_ROOT = process.getuid?.() === 0;
// As root the child runs as nobody, who must be able to read this checkout (see not-writable.test.ts).
const childCanRun = !AS_ROOT || spawnSync('test', ['-r', join(ROOT, 'src/store/state-store.ts'), '-a', '-x', join(ROOT, 'node_modules')], { uid: NOBODY, gid: NOBODY }).status === 0;

function openFails(open: () => { close: () => void }): Error {
  try {
    open().close();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('opened');
}

/** SQLite said only "unable to open database file" of each of these: the message now names the cause. */
describe('a state database path that cannot hold a database', () => {
  it('is a directory: said so, and to move it aside', () => {
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    mkdirSync(path);
    const error = openFails(() => StateStore.open({ dataDir: dir }));
    expect(error.message).toBe(`cannot open state database ${path}: ${path} is a directory, not a database file: move it aside or use another --data-dir`);
  });

  it('is a directory where the paper account should be: said so', () => {
    const path = join(tempDir(), 'paper.sqlite');
    mkdirSync(path);
    const error = openFails(() => PaperStateFile.open(path, []).file);
    expect(error.message).toBe(`cannot open paper exchange state ${path}: ${path} is a directory, not a database file: move it aside or use another --data-dir`);
  });

  it('lies under a data directory that is a file: the file is named, not ENOTDIR of a temporary name', () => {
    const dataDir = join(tempDir(), 'data');
    writeFileSync(dataDir, '');
    const error = openFails(() => StateStore.open({ dataDir }));
    expect(error.message).toBe(`cannot create state database ${join(dataDir, 'state.sqlite')}: ${dataDir} is a file, not a directory: move it aside or use another --data-dir`);
  });

  it('has a missing parent: it is made', () => {
    const dataDir = join(tempDir(), 'not', 'yet');
    StateStore.open({ dataDir }).close();
  });

  it.skipIf(!childCanRun)('lies in a folder this process may not write: the folder, the uid and EACCES are named', () => {
    const dataDir = join(tempDir('tradetrace-readonly-'), 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o555);
    chmodSync(resolve(dataDir, '..'), 0o755);
    const script = `import { StateStore } from ${JSON.stringify(join(ROOT, 'src/store/state-store.ts'))};
try { StateStore.open({ dataDir: ${JSON.stringify(dataDir)} }); console.error('opened'); } catch (error) { console.error(error.code + ': ' + error.message); process.exit(3); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT, encoding: 'utf8', ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: '/tmp' } } : {}),
    });
    expect(child.status, child.stderr).toBe(3);
    expect(child.stderr).toMatch(new RegExp(`open_failed: cannot create state database ${join(dataDir, 'state.sqlite')}: ${dataDir} is not writable by this process \\(uid \\d+\\): EACCES`));
  });
});
