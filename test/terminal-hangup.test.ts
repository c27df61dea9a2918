import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog, runChild, type ChildRun } from '../src/runtime/fixtures/child-run.js';
import { writeNoTrades } from '../src/investigate/testing/incidents.js';
import { PROJECT_ROOT } from './support/cli.js';
import { runQuery } from './support/run-query.js';
import { tempDir } from './support/temp-dir.js';

const ENTRY = resolve(PROJECT_ROOT, 'src/cli/entry.ts');
const PAPER = ['paper', '--synthetic', 'BTC/USDT', '--speed', '600', '--duration', '60s'];

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function waitUntil(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const start = Date.now(); !done(); await sleep(5)) {
    if (Date.now() - start > timeoutMs) throw new Error(`waited ${timeoutMs} ms for ${what}`);
  }
}

const logged = (file: string, text: string): boolean => existsSync(file) && readFileSync(file, 'utf8').includes(text);

/** The terminal goes away: whatever the bot writes to stdout or stderr from now on fails (EPIPE). */
function closeTerminal(run: ChildRun): void {
  run.child.stdout?.destroy();
  run.child.stderr?.destroy();
}

/** What a clean stop on `signal` leaves: its reason, SESSION_END, an ended manifest, and health's verdict. */
async function expectCleanEnd(dataDir: string, signal: string): Promise<void> {
  const logs = join(dataDir, 'logs');
  const system = readLog(logs, 'system');
  expect(system.filter((l) => l['event_type'] === 'SHUTDOWN_REQUESTED')).toEqual([expect.objectContaining({ reason: signal })]);
  expect(system.filter((l) => l['event_type'] === 'SHUTDOWN_COMPLETE')).toEqual([expect.objectContaining({ exit_code: 0 })]);
  const ends = readLog(logs, 'audit').filter((l) => l['event_type'] === 'SESSION_END');
  expect(ends).toEqual([expect.objectContaining({ reason: 'signal', exit_code: 0 })]);
  const [session] = readdirSync(join(dataDir, 'sessions'));
  const manifest = JSON.parse(readFileSync(join(dataDir, 'sessions', session ?? '', 'manifest.json'), 'utf8')) as Record<string, unknown>;
  expect(manifest).toMatchObject({ exit_reason: 'signal', exit_code: 0 });
  const health = await runQuery(['health', '--data-dir', dataDir]);
  expect(health.stdout).toContain('ENDED CLEANLY: SESSION_END reason signal, exit code 0');
}

/** A failed write to the gone terminal is in the record, before SESSION_END: it was no crash. */
function expectOutputFailureRecorded(dataDir: string): void {
  const logs = join(dataDir, 'logs');
  const failed = readLog(logs, 'system').filter((l) => l['error_code'] === 'stdout_failed');
  const end = readLog(logs, 'audit').find((l) => l['event_type'] === 'SESSION_END');
  expect(failed).toHaveLength(1);
  expect(Number(failed[0]?.['seq'])).toBeLessThan(Number(end?.['seq']));
  expect(readLog(logs, 'system').filter((l) => l['event_type'] === 'FATAL')).toEqual([]);
}

describe('tradetrace paper: a closed terminal or a dropped SSH connection (SIGHUP)', () => {
  it('SIGHUP while trading, with the terminal gone: a clean stop (exit 0, SESSION_END), never killed with no end recorded', async () => {
    const dataDir = join(tempDir('tradetrace-hangup-'), 'data');
    const run = runChild(ENTRY, [...PAPER, '--data-dir', dataDir]);
    await waitUntil('the first decision', () => existsSync(join(dataDir, 'logs', 'decisions.jsonl')));
    closeTerminal(run);
    run.child.kill('SIGHUP');
    const result = await run.exited;
    expect([result.code, result.signal]).toEqual([0, null]);
    await expectCleanEnd(dataDir, 'SIGHUP');
    expectOutputFailureRecorded(dataDir);
  });

  it('SIGHUP during startup, with the terminal gone: the session stops as soon as it has started, cleanly', async () => {
    const dataDir = join(tempDir('tradetrace-hangup-'), 'data');
    const run = runChild(ENTRY, [...PAPER, '--data-dir', dataDir]);
    await waitUntil('SESSION_START', () => logged(join(dataDir, 'logs', 'audit.jsonl'), '"SESSION_START"'), 30_000);
    closeTerminal(run);
    run.child.kill('SIGHUP');
    const result = await run.exited;
    expect([result.code, result.signal]).toEqual([0, null]);
    await expectCleanEnd(dataDir, 'SIGHUP');
    // The summary's write after SESSION_END fails too; its error was heard before, and is no crash.
    expectOutputFailureRecorded(dataDir);
  });

  it('SIGQUIT (Ctrl-\\) stops it cleanly as SIGTERM does, with no core dump', async () => {
    const dataDir = join(tempDir('tradetrace-hangup-'), 'data');
    const run = runChild(ENTRY, [...PAPER, '--data-dir', dataDir]);
    await waitUntil('the first decision', () => existsSync(join(dataDir, 'logs', 'decisions.jsonl')));
    run.child.kill('SIGQUIT');
    const result = await run.exited;
    expect([result.code, result.signal], result.stderr).toEqual([0, null]);
    await expectCleanEnd(dataDir, 'SIGQUIT');
    expect(result.stdout).toMatch(/paper session session_\S+ ended: signal \(exit 0\)/);
  });

  // The tester's case itself: the bot leads its session on a pty whose other end closes, as under
  // sshd or script. The kernel sends SIGHUP, and from then on the terminal fails every write with
  // EIO, even Node's own restoring of its settings at exit. python3 makes the pty (Node cannot).
  const python = pythonWithPty();
  it.skipIf(!python)('a real pty that closes: exit 0 with SESSION_END, not killed by SIGHUP nor aborted by Node at exit', async () => {
    const dataDir = join(tempDir('tradetrace-hangup-'), 'data');
    const script = `
import os, pty, sys, time, select
pid, master = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
audit = os.path.join(sys.argv[-1], 'logs', 'decisions.jsonl')
deadline = time.time() + 30
while not os.path.exists(audit) and time.time() < deadline:
    # Read what the bot writes, as a terminal does, so its writes never block.
    if select.select([master], [], [], 0.02)[0]:
        os.read(master, 65536)
os.close(master)
_, status = os.waitpid(pid, 0)
print('exit' if os.WIFEXITED(status) else 'signal', os.WEXITSTATUS(status) if os.WIFEXITED(status) else os.WTERMSIG(status))
`;
    const ran = spawnSync('python3', ['-c', script, process.execPath, '--import', 'tsx', ENTRY, ...PAPER, '--data-dir', dataDir], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 50_000 });
    expect(ran.stdout.trim(), ran.stderr).toBe('exit 0');
    await expectCleanEnd(dataDir, 'SIGHUP');
    expect(readLog(join(dataDir, 'logs'), 'system').find((l) => l['error_code'] === 'stdout_failed')?.['message']).toMatch(/EIO/);
  });
});

describe('tradetrace alerts --follow: a closed terminal (SIGHUP)', () => {
  it('stops watching cleanly (exit 0), as on SIGINT, instead of being killed', async () => {
    const dataDir = tempDir('tradetrace-hangup-alerts-');
    writeNoTrades(dataDir);
    const run = runChild(ENTRY, ['alerts', '--follow', '--poll-ms', '50', '--data-dir', dataDir]);
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitUntil('the watch to start', () => stderr.includes('tradetrace alerts: watching'));
    closeTerminal(run);
    run.child.kill('SIGHUP');
    const result = await run.exited;
    expect([result.code, result.signal], stderr).toEqual([0, null]);
  });
});

/** Whether python3 with its pty module runs here: outside CI its absence skips the real-pty test with a printed reason; in CI (CI=true, where .ci/run installs it) it is a failure. */
function pythonWithPty(): boolean {
  if (spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0) return true;
  const reason = 'python3 (with its pty module) not found; it makes the real pty the SIGHUP test closes (apt-get install python3)';
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${reason}`);
  console.warn(`SKIP: ${reason}`);
  return false;
}

describe('tradetrace demo: the shutdown signals paper stops on', () => {
  for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
    it(`${signal} stops the demo with SESSION_END reason signal (exit 130), as SIGINT does, instead of being ignored`, async () => {
      const dataDir = join(tempDir('tradetrace-demo-signal-'), 'data');
      const run = runChild(ENTRY, ['demo', '--data-dir', dataDir]);
      await waitUntil('the first decision', () => logged(join(dataDir, 'logs', 'decisions.jsonl'), 'DECISION_START'));
      run.child.kill(signal);
      const exited = await run.exited;
      expect([exited.code, exited.signal]).toEqual([130, null]);
      const ends = readLog(join(dataDir, 'logs'), 'audit').filter((l) => l['event_type'] === 'SESSION_END');
      expect(ends).toEqual([expect.objectContaining({ reason: 'signal', exit_code: 130 })]);
    });
  }
});
