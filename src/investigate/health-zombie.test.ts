import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { processState } from './query/session-process.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// A bot killed by SIGKILL whose parent (a supervisor that sleeps, a shell script) has not reaped it
// yet is a zombie: kill(pid, 0) still succeeds and /proc/<pid> is still there, so health called it
// "RUNNING ... the bot is still up". It runs nothing and will write nothing: it is dead.

const onLinux = process.platform === 'linux';
if (!onLinux) console.warn('SKIPPED health-zombie: zombies are told by /proc/<pid>/stat, Linux only');

const parents: ChildProcess[] = [];
afterAll(() => {
  for (const p of parents) p.kill('SIGKILL');
});

/** A child that exits at once under a parent that never reaps it (sh execs sleep, which waits for nothing). */
async function zombiePid(): Promise<number> {
  const parent = spawn('sh', ['-c', 'node -e 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  parents.push(parent);
  const pid = await new Promise<number>((resolve) => parent.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  for (let i = 0; i < 100; i++) {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) return pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pid ${pid} did not become a zombie`);
}

describe.skipIf(!onLinux)('health: a bot killed and not yet reaped (a zombie)', () => {
  it('is dead: NO CLEAN END and "is a zombie", never RUNNING or "still up"', async () => {
    const pid = await zombiePid();
    expect(processState({ session_id: 's', pid, host: hostname() }, new Date().toISOString())).toMatchObject({ pid, alive: false, zombie: true });
    const dir = tempDir('tt-health-zombie-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20261128_100000', start: new Date(), config: BASE_CONFIG, process: { pid, host: hostname() } });
    // Started after the process did, as the bot's own session does: not a reused pid.
    s.tick(5).noSignal('BTC/USDT', '45000');
    s.abandon();
    const r = await runQuery(['health', '--data-dir', dir]);
    expect(r.stdout).toContain('NO CLEAN END: no SESSION_END or SHUTDOWN_COMPLETE; the process died without a trace');
    expect(r.stdout).toContain(`process: pid ${pid} is a zombie on this host (it died; its parent has not reaped it yet): the bot is gone`);
    expect(r.stdout).not.toContain('RUNNING');
    expect(r.stdout).not.toContain('still up');
  });
});
