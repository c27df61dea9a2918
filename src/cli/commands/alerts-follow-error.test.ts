import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { exited, startCli, stop, waitFor, type Running } from '../../alerts/fixtures/processes.js';
import { Scenario } from '../../alerts/fixtures/scenario.js';

let watcher: Running | undefined;
afterEach(async () => {
  await stop(watcher);
  watcher = undefined;
});

describe('tradetrace alerts --follow when a log turns unreadable', () => {
  it('stops watching and names the file and the error, exit 3, without a stack trace', async () => {
    const dataDir = tempDir('tt-alerts-follow-error-');
    const bot = new Scenario(dataDir);
    bot.at(0).start('session_20251026_100000');
    bot.at(1000).heartbeat('session_20251026_100000');
    bot.close();
    watcher = startCli(['alerts', '--follow', '--data-dir', dataDir, '--poll-ms', '50']);
    const running = watcher;
    await waitFor('the watcher to start', () => running.output.includes('watching'), 30_000);
    // A read error other than "no such file": the log replaced by a directory (EISDIR).
    rmSync(join(dataDir, 'logs', 'system.jsonl'));
    mkdirSync(join(dataDir, 'logs', 'system.jsonl'));
    const code = await exited(running.child);
    expect(code).toBe(3);
    expect(running.output).toMatch(/tradetrace alerts: .*system\.jsonl.*EISDIR/);
    expect(running.output).not.toMatch(/\n\s+at /);
  }, 60_000);
});
