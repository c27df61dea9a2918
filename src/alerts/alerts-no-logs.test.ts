import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { exited, startCli, stop, waitFor, type Running } from './fixtures/processes.js';

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(stop));
});

describe('tradetrace alerts with no logs to evaluate', () => {
  it('an empty logs directory exits 3 naming it, as every other command does (not "0 alerts fired", exit 0: healthy to a cron check)', async () => {
    const dataDir = tempDir('tradetrace-alerts-empty-');
    mkdirSync(join(dataDir, 'logs'));
    const result = await runCli(['alerts', '--data-dir', dataDir]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`tradetrace alerts: no log files to evaluate in ${join(dataDir, 'logs')} (it holds no orders, audit, system *.jsonl files: no bot has written logs here yet); check --data-dir or $TRADETRACE_DATA_DIR\n`);
    expect(result.code).toBe(3);
  }, 60_000);

  it("only what a watcher left (its alerts.jsonl) and the bot's decisions: nothing the rules read, exit 3", async () => {
    const dataDir = tempDir('tradetrace-alerts-empty-');
    mkdirSync(join(dataDir, 'logs'));
    writeFileSync(join(dataDir, 'logs/alerts.jsonl'), '');
    writeFileSync(join(dataDir, 'logs/decisions.jsonl'), '');
    const result = await runCli(['alerts', '--data-dir', dataDir, '--rules', 'fatal']);
    expect(result.stderr).toBe(`tradetrace alerts: no log files to evaluate in ${join(dataDir, 'logs')} (it holds no audit, system *.jsonl files: no bot has written logs here yet); check --data-dir or $TRADETRACE_DATA_DIR\n`);
    expect(result.code).toBe(3);
  }, 60_000);

  it('--follow on an empty logs directory watches for the bot to start, and says so', async () => {
    const dataDir = tempDir('tradetrace-alerts-empty-');
    mkdirSync(join(dataDir, 'logs'));
    const watcher = startCli(['alerts', '--follow', '--data-dir', dataDir, '--poll-ms', '50']);
    running.push(watcher);
    await waitFor('the watcher to start', () => watcher.output.includes('watching'), 30_000);
    expect(watcher.output).toContain(`tradetrace alerts: ${join(dataDir, 'logs')} holds no log files yet: waiting for a bot to write them`);
    watcher.child.kill('SIGINT');
    expect(await exited(watcher.child)).toBe(0);
  }, 60_000);
});
