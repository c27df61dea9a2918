import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { runChild } from '../src/runtime/fixtures/child-run.js';
import { PROJECT_ROOT } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

const ENTRY = resolve(PROJECT_ROOT, 'src/cli/entry.ts');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('tradetrace paper: Ctrl-C as soon as the session is recorded (during its startup)', () => {
  it('ends the session cleanly with SESSION_END and an ended manifest, never exit 130 with no end recorded', async () => {
    const dataDir = join(tempDir('tradetrace-startup-signal-'), 'data');
    // Through tsx's loader, not its CLI: the signal must reach the bot itself.
    const run = runChild(ENTRY, ['paper', '--synthetic', 'BTC/USDT', '--speed', '1', '--data-dir', dataDir]);
    const audit = join(dataDir, 'logs', 'audit.jsonl');
    // The first moment a signal can land after SESSION_START: the session's own handlers are not up yet.
    for (let waited = 0; !(existsSync(audit) && readFileSync(audit, 'utf8').includes('"SESSION_START"')); waited += 2) {
      if (waited > 30_000) throw new Error(`no SESSION_START in ${audit}`);
      await sleep(2);
    }
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const ends = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['event_type'] === 'SESSION_END');
    expect(ends).toEqual([expect.objectContaining({ reason: 'signal', exit_code: 0 })]);
    const sessions = readdirSync(join(dataDir, 'sessions'));
    expect(sessions).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(dataDir, 'sessions', sessions[0] ?? '', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ exit_reason: 'signal', exit_code: 0 });
    expect(manifest['end']).not.toBeNull();
  });

  it('ends cleanly when Ctrl-C lands before SESSION_START, as soon as the session directory exists', async () => {
    const dataDir = join(tempDir('tradetrace-startup-signal-'), 'data');
    const run = runChild(ENTRY, ['paper', '--synthetic', 'BTC/USDT', '--speed', '1', '--data-dir', dataDir]);
    const sessionsDir = join(dataDir, 'sessions');
    // The session's directory and manifest are written before its recorder opens: a signal landing
    // then, with no listener installed yet, killed the bot with no end recorded.
    for (let waited = 0; !(existsSync(sessionsDir) && readdirSync(sessionsDir).some((d) => existsSync(join(sessionsDir, d, 'manifest.json')))); waited += 1) {
      if (waited > 30_000) throw new Error(`no session manifest under ${sessionsDir}`);
      await sleep(1);
    }
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const audit = readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.filter((l) => l['event_type'] === 'SESSION_END')).toEqual([expect.objectContaining({ reason: 'signal', exit_code: 0 })]);
  });
});
