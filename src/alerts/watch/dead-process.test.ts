import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { processSession } from '../fixtures/process-session.js';
import { exited, waitFor } from '../fixtures/processes.js';
import { AlertWatcher } from './alert-watcher.js';

const parents: ChildProcess[] = [];
afterEach(async () => {
  for (const parent of parents.splice(0)) {
    if (parent.exitCode !== null || parent.signalCode !== null) continue;
    parent.kill('SIGKILL');
    await exited(parent);
  }
});

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/**
 * A dead bot whose pid is still taken: its parent (standing in for a supervisor that hangs) never
 * reaps it, so it stays a zombie, and kill(pid, 0) still succeeds on it.
 */
async function zombieBot(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  parents.push(parent);
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once('error', reject);
  });
  await waitFor(`pid ${pid} to be a zombie`, () => procState(pid) === 'Z');
  return pid;
}

describe('alerts --follow on a bot whose process died but is not reaped (a zombie)', () => {
  it('reports it gone at once, as health calls it dead, instead of waiting 30 s for its heartbeat deadline', async () => {
    const dataDir = tempDir('tradetrace-watch-zombie-');
    const pid = await zombieBot();
    const { sessionId, lastBeatMs } = processSession(dataDir, pid, '10s');
    const recorder = new Recorder({ sessionId: 'watcher_20251026_100000_1', sink: new FileSink(join(dataDir, 'logs')) });
    // One second after its last heartbeat: 29 s before the silence alone would fire.
    const watcher = new AlertWatcher({ dataDir, recorder, options: { rules: ['heartbeat_missing'] }, now: () => lastBeatMs + 1000 });
    const fired = watcher.poll();
    expect(fired.map((t) => `${t.kind} ${t.rule} ${t.subject}`)).toEqual([`fired heartbeat_missing ${sessionId}`]);
    const message = fired[0]?.kind === 'fired' ? fired[0].message : '';
    expect(message).toBe(`the process of ${sessionId} is gone and it wrote no SESSION_END: the bot died; its last heartbeat was at ${new Date(lastBeatMs).toISOString()}`);
  }, 30_000);
});
