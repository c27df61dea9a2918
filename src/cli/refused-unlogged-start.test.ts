import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { readManifest } from '../recorder/sessions/manifest.js';
import { startSession } from './session-bootstrap.js';

const ENV = { GLOBAL_TRADING: 'false' };

function quietIo(cwd: string): { stdout: PassThrough; stderr: PassThrough; env: NodeJS.ProcessEnv; cwd: string } {
  return { stdout: new PassThrough().resume(), stderr: new PassThrough().resume(), env: ENV, cwd };
}

// Each start a minute apart: a session's id is its start's second.
const CLEAN_AT = new Date('2026-03-01T10:00:00.000Z');
const REFUSED_AT = new Date('2026-03-01T10:01:00.000Z');

async function cleanSession(dataDir: string): Promise<string> {
  const started = await startSession({ mode: 'demo', argv: ['demo'], io: quietIo(dataDir), flags: { dataDir }, processHooks: false, now: () => CLEAN_AT });
  if (!started.ok) throw new Error(`the clean session did not start (exit ${started.exitCode})`);
  started.value.endSession('completed', 0, { decisions: 0 });
  return started.value.sessionId;
}

/**
 * A start refused because its logs cannot be opened: `logs` is a file for the moment (as an
 * unwritable logs/ is to a bot run as another user), so the recorder cannot open any channel.
 * Returns the refused session's id; the data dir's own logs, if any, are put back after.
 */
async function refusedStart(dataDir: string): Promise<string> {
  const logs = join(dataDir, 'logs');
  const aside = join(dataDir, 'logs.aside');
  let moved = false;
  try {
    renameSync(logs, aside);
    moved = true;
  } catch {
    // No logs yet: nothing to put back.
  }
  writeFileSync(logs, 'not a directory\n');
  const started = await startSession({ mode: 'demo', argv: ['demo'], io: quietIo(dataDir), flags: { dataDir }, processHooks: false, now: () => REFUSED_AT });
  rmSync(logs);
  if (moved) renameSync(aside, logs);
  expect(started.ok).toBe(false);
  const [id] = readdirSync(join(dataDir, 'sessions')).sort().reverse();
  if (id === undefined) throw new Error('no session directory');
  return id;
}

describe('a start refused because its logs could not be opened', () => {
  it('records why in its manifest', async () => {
    const dataDir = tempDir('tt-refused-manifest-');
    const id = await refusedStart(dataDir);
    const manifest = readManifest(join(dataDir, 'sessions', id));
    expect(manifest.ok && manifest.value).toMatchObject({ exit_reason: 'refused', exit_code: 1, failure: { code: expect.any(String) as string, message: expect.stringContaining(join(dataDir, 'logs')) as string } });
  });

  it('is named by health after the session before it, and by sessions with its reason instead of a PnL', async () => {
    const dataDir = tempDir('tt-refused-after-');
    const clean = await cleanSession(dataDir);
    const refused = await refusedStart(dataDir);
    expect(refused).not.toBe(clean);
    const manifest = readManifest(join(dataDir, 'sessions', refused));
    if (!manifest.ok || !manifest.value.failure) throw new Error('the refused start has no failure in its manifest');
    const why = `${manifest.value.failure.code}: ${manifest.value.failure.message}`;

    const health = await runQuery(['health', '--data-dir', dataDir]);
    expect(health.code).toBe(0);
    expect(health.stdout).toContain(`session ${clean}`);
    expect(health.stdout).toContain(`a later session was refused before trading: ${refused}: ${why} (tradetrace health --session ${refused} --data-dir ${dataDir})`);

    const one = await runQuery(['health', '--data-dir', dataDir, '--session', refused]);
    expect([one.code, one.stderr]).toEqual([0, '']);
    expect(one.stdout).toContain(`REFUSED before trading: exit code 1: ${why}; nothing was decided under its config`);
    expect(one.stdout).not.toContain('SHUTDOWN_HEARTBEAT');

    const sessions = await runQuery(['sessions', '--data-dir', dataDir]);
    expect(sessions.code).toBe(0);
    const [, cleanRow = '', refusedRow = ''] = sessions.stdout.split(/\n(?= {2}session_)/);
    expect(cleanRow).toContain(clean);
    expect(refusedRow).toContain(refused);
    expect(refusedRow).toContain('exit: refused (exit 1)');
    expect(refusedRow).toContain(`\n      refused before trading: ${why}`);
    expect(refusedRow).not.toContain('realized PnL');
  });

  it('is found with no logs at all: health and sessions read its manifest instead of saying there are no log files', async () => {
    const dataDir = tempDir('tt-refused-alone-');
    const refused = await refusedStart(dataDir);

    const health = await runQuery(['health', '--data-dir', dataDir]);
    expect(health.stderr).not.toContain('no log files');
    expect(health.code).toBe(0);
    expect(health.stdout).toContain(`session ${refused}`);
    expect(health.stdout).toContain('REFUSED before trading: exit code 1: ');

    const sessions = await runQuery(['sessions', '--data-dir', dataDir, '--json']);
    expect(sessions.code).toBe(0);
    const row = JSON.parse(sessions.stdout) as { sessionId: string; exitReason: string; failureCode: unknown; failureMessage: unknown };
    expect(row).toMatchObject({ sessionId: refused, exitReason: 'refused', failureCode: expect.any(String) as string, failureMessage: expect.stringContaining(join(dataDir, 'logs')) as string });
  });

  it('still leaves a data dir with neither logs nor a refused start to "no log files" (exit 3)', async () => {
    const r = await runQuery(['health', '--data-dir', tempDir('tt-refused-none-')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no log files');
  });
});
