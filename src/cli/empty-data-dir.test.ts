import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { startSession } from './session-bootstrap.js';

/** An empty TRADETRACE_DATA_DIR (systemd's `TRADETRACE_DATA_DIR=`, compose's `${VAR}` of an unset one). */
const EMPTY = { TRADETRACE_DATA_DIR: '', GLOBAL_TRADING: 'false' };

async function sessionWrittenBy(cwd: string): Promise<{ sessionId: string; dataDir: string }> {
  const sink = new PassThrough().resume();
  const started = await startSession({ mode: 'demo', argv: ['demo'], io: { stdout: sink, stderr: sink, env: EMPTY, cwd }, flags: {}, processHooks: false });
  if (!started.ok) throw new Error(`the session did not start (exit ${started.exitCode})`);
  started.value.endSession('completed', 0, { decisions: 0 });
  return { sessionId: started.value.sessionId, dataDir: started.value.paths.dataDir };
}

describe('an empty TRADETRACE_DATA_DIR', () => {
  it('is ./data for the bot and for every query alike', async () => {
    const cwd = tempDir('tradetrace-empty-dir-');
    const { sessionId, dataDir } = await sessionWrittenBy(cwd);
    expect(dataDir).toBe(join(cwd, 'data'));

    const health = await runQuery(['health'], { env: EMPTY, cwd });
    expect(health.stderr).not.toContain('no log files');
    expect(health.code).toBe(0);
    expect(health.stdout).toContain(sessionId);

    const sessions = await runQuery(['sessions', '--json'], { env: EMPTY, cwd });
    expect(sessions.code).toBe(0);
    expect(sessions.stdout).toContain(sessionId);

    const alerts = await runQuery(['alerts', '--json'], { env: EMPTY, cwd });
    expect(alerts.stderr).not.toContain('no log files');
    expect(alerts.stderr).not.toContain(`${cwd}/logs`);
    expect(alerts.code).not.toBe(3);
  });
});
