import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../../../test/support/cli.js';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeNoTrades } from '../../investigate/testing/incidents.js';

/** Starts `tradetrace alerts --follow ...`, waits until stderr holds `until`, then stops it with SIGINT. */
async function followUntil(args: readonly string[], until: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(['alerts', '--follow', '--poll-ms', '50', ...args]);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!stderr.includes(until) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  return { code: await exited, stderr };
}

describe('tradetrace alerts --follow on a directory without logs', () => {
  it('refuses a data directory that does not exist, naming it, and creates nothing', async () => {
    const dataDir = join(tempDir('tt-alerts-typo-'), 'typo');
    const r = await runQuery(['alerts', '--follow', '--data-dir', dataDir]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`tradetrace alerts: no such data directory ${dataDir}; check --data-dir or $TRADETRACE_DATA_DIR, or pass --wait to watch for a bot that has not started yet\n`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a data directory without logs/, and creates nothing', async () => {
    const dataDir = tempDir('tt-alerts-nologs-');
    mkdirSync(join(dataDir, 'sessions'));
    const r = await runQuery(['alerts', '--follow', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tradetrace alerts: ${dataDir} has no logs/ directory: no bot has run with it yet; check --data-dir or $TRADETRACE_DATA_DIR, or pass --wait to watch for a bot that has not started yet\n`);
    expect(existsSync(join(dataDir, 'logs'))).toBe(false);
  });

  it('with --wait, watches a directory the bot has not created yet', async () => {
    const dataDir = join(tempDir('tt-alerts-wait-'), 'data');
    const r = await followUntil(['--wait', '--data-dir', dataDir], 'watching');
    expect(r.stderr).toContain(`tradetrace alerts: watching ${join(dataDir, 'logs')} as watcher_`);
    expect(r.code).toBe(0);
    expect(existsSync(join(dataDir, 'logs'))).toBe(true);
  }, 40_000);
});

describe('tradetrace alerts without --follow', () => {
  it('says there are no logs (exit 3, as the other read commands) instead of "0 lines read ... 0 alerts fired"', async () => {
    const dataDir = join(tempDir('tt-alerts-once-'), 'typo');
    const r = await runQuery(['alerts', '--data-dir', dataDir]);
    expect([r.code, r.stdout]).toEqual([3, '']);
    expect(r.stderr).toBe(`tradetrace alerts: no such data directory ${dataDir}; check --data-dir or $TRADETRACE_DATA_DIR\n`);
  });

  it('refuses the flags that only a watch uses, instead of ignoring a webhook that would never be called', async () => {
    const dataDir = tempDir('tt-alerts-once-');
    writeNoTrades(dataDir);
    const r = await runQuery(['alerts', '--data-dir', dataDir, '--webhook', 'https://example.invalid/hook', '--poll-ms', '100']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('tradetrace alerts: --webhook, --poll-ms: only with --follow (without it, alerts evaluates the logs once and exits)\n');
    expect((await runQuery(['alerts', '--data-dir', dataDir])).code).toBe(0);
  });

  it('takes --failure-late-fill-grace (how long a timed-out order waits for a late fill before it counts as failed), and names the flag when it is bad', async () => {
    const dataDir = tempDir('tt-alerts-grace-');
    writeNoTrades(dataDir);
    const bad = await runQuery(['alerts', '--data-dir', dataDir, '--failure-late-fill-grace=-1']);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'tradetrace alerts: --failure-late-fill-grace must be >= 0\n']);
    expect((await runQuery(['alerts', '--data-dir', dataDir, '--failure-late-fill-grace', '0'])).code).toBe(0);
  });
});

describe('tradetrace alerts --follow with garbage in the logs', () => {
  it('summarizes the unreadable lines in one line instead of one line each', async () => {
    const dataDir = tempDir('tt-alerts-garbage-');
    writeNoTrades(dataDir);
    appendFileSync(join(dataDir, 'logs', 'system.jsonl'), Array.from({ length: 30 }, (_, i) => `garbage ${i}\n`).join(''));
    const r = await followUntil(['--data-dir', dataDir], 'skipped 30 unreadable lines in system.jsonl (lines ');
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('skipped'))).toHaveLength(1);
  }, 40_000);
});
