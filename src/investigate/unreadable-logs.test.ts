import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/support/cli.js';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeOrderFailures } from './testing/incidents.js';

// A log the reader cannot read is one line naming the path and why, with exit code 3 (nothing
// could be searched), never a stack trace and never 1 (which would read as "nothing matched").

describe('a data directory that is not a directory, and logs/ that is a file', () => {
  it('every read command says which path is not a directory and exits 3', async () => {
    const file = join(tempDir('tt-notdir-'), 'afile');
    writeFileSync(file, 'hi\n');
    const dataDir = tempDir('tt-logsfile-');
    writeFileSync(join(dataDir, 'logs'), 'not a directory\n');
    for (const command of ['why', 'sessions', 'health', 'orders', 'trace', 'dash', 'drift', 'alerts']) {
      const args = command === 'trace' ? [command, 'dec_2025'] : [command];
      const notDir = await runQuery([...args, '--data-dir', file]);
      expect([notDir.code, notDir.stderr]).toEqual([3, `tradetrace ${command}: cannot read ${file}: not a directory (ENOTDIR)\n`]);
      const logsFile = await runQuery([...args, '--data-dir', dataDir]);
      expect([logsFile.code, logsFile.stderr]).toEqual([3, `tradetrace ${command}: cannot read ${join(dataDir, 'logs')}: not a directory (ENOTDIR)\n`]);
    }
  });

  it('alerts --follow refuses a data directory that is a file instead of creating logs/ under it', async () => {
    const file = join(tempDir('tt-notdir-follow-'), 'afile');
    writeFileSync(file, 'hi\n');
    const r = await runQuery(['alerts', '--follow', '--data-dir', file]);
    expect([r.code, r.stderr]).toEqual([3, `tradetrace alerts: cannot read ${file}: not a directory (ENOTDIR)\n`]);
  });
});

describe('a log file that is a directory', () => {
  it('is skipped and named with EISDIR by the query commands, which answer from the other files; alerts, which cannot leave a file out of its replay, exits 3', async () => {
    const dataDir = tempDir('tt-isdir-');
    writeOrderFailures(dataDir);
    const orders = join(dataDir, 'logs', 'orders.20251026T000000000Z.jsonl');
    mkdirSync(orders);
    for (const args of [['orders'], ['trace', 'dec_20251026_110100_f78001'], ['trace', 'dec_20251026_110100_f78001', '--no-index'], ['sessions'], ['health']]) {
      const r = await runQuery([...args, '--data-dir', dataDir]);
      expect([args.join(' '), r.code, r.stdout === '', r.stderr]).toEqual([args.join(' '), 0, false, `could not read ${orders}: is a directory, not a log file (EISDIR); skipped the file\n`]);
    }
    const alerts = await runQuery(['alerts', '--data-dir', dataDir]);
    expect([alerts.code, alerts.stdout, alerts.stderr]).toEqual([3, '', `tradetrace alerts: cannot read ${orders}: is a directory, not a log file (EISDIR)\n`]);
  });
});

const isRoot = process.getuid?.() === 0;
// Numeric ids: the group "nogroup" is Debian's name; 65534 is nobody everywhere. Nobody must also be
// able to read this checkout (not so under /root) for the child to run at all.
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const canDropRoot = isRoot && existsSync('/usr/bin/setpriv') && spawnSync('setpriv', [...NOBODY, 'test', '-r', join(PROJECT_ROOT, 'src/cli/entry.ts')]).status === 0;
if (isRoot && !canDropRoot) console.warn('SKIPPED unreadable-logs EACCES case: running as root, and setpriv is missing or user nobody (65534) cannot read this checkout, so a chmod 000 file stays readable');

/** Runs the CLI from source as a user the permission bits apply to (nobody, when the tests run as root). */
function runAsReader(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const node = [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'src/cli/entry.ts'), ...args];
  const [command, ...rest] = canDropRoot ? ['setpriv', ...NOBODY, ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command ?? '', rest, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a log file without read permission', () => {
  it.skipIf(isRoot && !canDropRoot)('every query command skips it, saying "permission denied (EACCES)"; alerts exits 3', async () => {
    const dataDir = tempDir('tt-eacces-');
    writeOrderFailures(dataDir);
    // Readable by the other user except orders.jsonl; writable, so trace builds its index and meets the file there.
    chmodSync(dataDir, 0o777);
    chmodSync(join(dataDir, 'logs'), 0o755);
    for (const name of readdirSync(join(dataDir, 'logs'))) chmodSync(join(dataDir, 'logs', name), 0o644);
    const orders = join(dataDir, 'logs', 'orders.jsonl');
    chmodSync(orders, 0o000);
    const skippedNote = `could not read ${orders}: permission denied (EACCES); skipped the file\n`;
    const commands = [['orders'], ['trace', 'dec_20251026_110100_f78001'], ['trace', 'dec_20251026_110100_f78001', '--no-index'], ['sessions'], ['health'], ['why'], ['alerts']];
    const results = await Promise.all(commands.map((args) => runAsReader([...args, '--data-dir', dataDir])));
    // The query commands answer from the files they can read and name the one they skipped; orders,
    // whose only file is the unreadable one, has nothing to answer from: exit 3, as for no logs.
    const expected = [3, 0, 0, 0, 0, 0];
    // why also says what the skipped file costs its answer: fills restart reconciliation found there.
    const whyCost = `tradetrace why: ${orders} could not be read whole; buys that restart reconciliation found filled there are counted as failed\n`;
    const said = [`tradetrace orders: cannot read ${orders}: permission denied (EACCES)\n`, ...['', '', '', '', whyCost].map((text) => `${text}${skippedNote}`)];
    results.slice(0, -1).forEach((r, i) => {
      expect([commands[i], r.code, r.stderr]).toEqual([commands[i], expected[i], said[i]]);
    });
    // alerts replays every line or none.
    expect([results[6]?.code, results[6]?.stderr]).toEqual([3, `tradetrace alerts: cannot read ${orders}: permission denied (EACCES)\n`]);
  }, 180_000);
});
