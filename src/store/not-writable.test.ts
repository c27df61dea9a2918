import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { StateStore } from './state-store.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NOBODY = 65534;

/**
 * Opens the store in a child process that cannot write the file. Root may write anything, so as
 * root the child runs as nobody (uid 65534), which the file's mode then shuts out.
 */
function openAsWriteless(dir: string): { status: number | null; stderr: string } {
  const script = `import { StateStore } from ${JSON.stringify(join(ROOT, 'src/store/state-store.ts'))};
try { StateStore.open({ dataDir: ${JSON.stringify(dir)} }); console.error('opened'); } catch (error) { console.error(error.code + ': ' + error.message); process.exit(3); }`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT, encoding: 'utf8', ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: '/tmp' } } : {}),
  });
  return { status: result.status, stderr: result.stderr };
}

const AS_ROOT = process.getuid?.() === 0;
// As root the child runs as nobody, who must be able to read this checkout (not so under /root).
const childCanRun = !AS_ROOT || spawnSync('test', ['-r', join(ROOT, 'src/store/state-store.ts'), '-a', '-x', join(ROOT, 'node_modules')], { uid: NOBODY, gid: NOBODY }).status === 0;
if (!childCanRun) console.warn(`SKIPPED not-writable.test.ts: running as root and user nobody (uid ${NOBODY}) cannot read ${ROOT}, so no process here lacks write permission`);

describe('a state database this process may not write', () => {
  it.skipIf(!childCanRun)('is refused with the file, the uid and the permission named, not a bare "disk I/O error"', () => {
    const dir = join(tempDir('tradetrace-readonly-'), 'data');
    mkdirSync(dir);
    const path = join(dir, 'state.sqlite');
    StateStore.open({ dataDir: dir }).close();
    chmodSync(dir, 0o755);
    chmodSync(path, 0o444);
    // The temp folder's parents must let nobody reach the file to read it.
    chmodSync(resolve(dir, '..'), 0o755);
    const { status, stderr } = openAsWriteless(dir);
    expect(status, stderr).toBe(3);
    expect(stderr).toMatch(new RegExp(`open_failed: cannot open state database ${path}: ${path} is not writable by this process \\(uid \\d+\\): EACCES`));
  });

  it.skipIf(!childCanRun)('names a WAL file left behind by another user, though the database and its folder are writable', () => {
    const dir = join(tempDir('tradetrace-readonly-'), 'data');
    mkdirSync(dir);
    const path = join(dir, 'state.sqlite');
    StateStore.open({ dataDir: dir }).close();
    // A killed run as root left an (empty) WAL file; everything else is open to all.
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o644);
    chmodSync(path, 0o666);
    chmodSync(dir, 0o777);
    chmodSync(resolve(dir, '..'), 0o755);
    const { status, stderr } = openAsWriteless(dir);
    expect(status, stderr).toBe(3);
    expect(stderr).toContain(`${path}-wal is not writable by this process`);
  });
});
