import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';
import { waitUntil } from './support/wait-until.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start stopped by SIGTERM (a service manager, `kill <npm pid>`)', () => {
  it('stops the bot too, cleanly: no orphan left trading, SESSION_END reason signal', async () => {
    const dataDir = join(tempDir('tt-npm-start-term-'), 'data');
    const npm = spawn('npm', ['start', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, TRADETRACE_DATA_DIR: dataDir, ENABLE_LIVE_DASHBOARD: 'false' }, stdio: 'ignore' });
    const npmExited = new Promise<void>((done) => npm.on('exit', () => done()));
    // The bot's own pid, from its session manifest, once it trades.
    const botPid = await waitUntil('the bot to start trading', () => {
      if (!existsSync(join(dataDir, 'logs', 'decisions.jsonl'))) return undefined;
      const session = readdirSync(join(dataDir, 'sessions'))[0];
      return session === undefined ? undefined : (JSON.parse(readFileSync(join(dataDir, 'sessions', session, 'manifest.json'), 'utf8')) as { pid: number }).pid;
    }, 60_000, 50);
    expect(botPid).not.toBe(npm.pid);
    npm.kill('SIGTERM');
    await npmExited;
    await waitUntil('the bot to stop', () => !alive(botPid), 30_000, 50);
    const end = readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"event_type":"SESSION_END"'));
    expect(end).toHaveLength(1);
    expect(JSON.parse(end[0] ?? '{}')).toMatchObject({ reason: 'signal', exit_code: 0 });
  }, 120_000);
});
