import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { processSession } from '../fixtures/process-session.js';
import { exited, waitFor } from '../fixtures/processes.js';
import { AlertWatcher } from './alert-watcher.js';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited(child);
  }
});

/** A process standing in for the bot's (what matters is its pid and its state in /proc). */
function botProcess(): ChildProcess & { pid: number } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1e6)'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('the stand-in bot did not start');
  return child as ChildProcess & { pid: number };
}

function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

function watcherOn(dataDir: string, nowMs: number): AlertWatcher {
  const recorder = new Recorder({ sessionId: 'watcher_20251026_100000_1', sink: new FileSink(join(dataDir, 'logs')) });
  return new AlertWatcher({ dataDir, recorder, options: { rules: ['heartbeat_missing'] }, now: () => nowMs });
}

describe('the heartbeat alert of a bot whose process is stopped by a signal says so, as health does', () => {
  it('alerts --follow (the watcher): "STOPPED by a signal ... kill -CONT <pid>", not "hung or dead"', async () => {
    const dataDir = tempDir('tradetrace-watch-stopped-');
    const bot = botProcess();
    const { sessionId, lastBeatMs } = processSession(dataDir, bot.pid, '100ms');
    bot.kill('SIGSTOP');
    await waitFor('the stand-in bot to be stopped', () => procState(bot.pid) === 'T');
    const fired = watcherOn(dataDir, lastBeatMs + 301).poll();
    expect(fired.map((t) => `${t.kind} ${t.rule} ${t.subject}`)).toEqual([`fired heartbeat_missing ${sessionId}`]);
    const message = fired[0]?.kind === 'fired' ? fired[0].message : '';
    expect(message).toContain(`no SHUTDOWN_HEARTBEAT from ${sessionId} for more than 0.3 s (3 x 0.1 s interval)`);
    expect(message).toContain(`its process (pid ${bot.pid}) is STOPPED by a signal (SIGSTOP, or Ctrl-Z in its terminal): it runs nothing, not even its watchdog, until \`kill -CONT ${bot.pid}\``);
    expect(message).not.toContain('hung or dead');
  }, 30_000);

  it('a process that runs (a hang, not a stop) is still called hung or dead', () => {
    const dataDir = tempDir('tradetrace-watch-stopped-');
    const bot = botProcess();
    const { lastBeatMs } = processSession(dataDir, bot.pid, '100ms');
    const fired = watcherOn(dataDir, lastBeatMs + 301).poll();
    const message = fired[0]?.kind === 'fired' ? fired[0].message : '';
    expect(message).toMatch(/: the bot is hung or dead$/);
  }, 30_000);

  it('tradetrace alerts (one-shot) says the same of a session whose process is stopped now', async () => {
    const dataDir = tempDir('tradetrace-alerts-stopped-');
    const bot = botProcess();
    const { sessionId, lastBeatMs } = processSession(dataDir, bot.pid, '100ms');
    bot.kill('SIGSTOP');
    await waitFor('the stand-in bot to be stopped', () => procState(bot.pid) === 'T');
    await waitFor('the 0.3 s deadline to pass', () => Date.now() > lastBeatMs + 500);
    const result = await runCli(['alerts', '--data-dir', dataDir, '--rules', 'heartbeat_missing']);
    expect(result.stdout).toContain(`FIRED    heartbeat_missing [${sessionId}] critical: no SHUTDOWN_HEARTBEAT`);
    expect(result.stdout).toContain(`its process (pid ${bot.pid}) is STOPPED by a signal`);
    expect(result.code).toBe(1);
  }, 60_000);
});
