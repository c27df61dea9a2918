import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChild } from '../src/runtime/fixtures/child-run.js';
import { PROJECT_ROOT, runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

const ENTRY = resolve(PROJECT_ROOT, 'src/cli/entry.ts');

function systemLines(dataDir: string): Record<string, unknown>[] {
  const file = join(dataDir, 'logs', 'system.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tradetrace paper: two quick Ctrl-Cs', () => {
  it('a second SIGINT while the quick shutdown runs lets it finish: exit 0, FEED_END and SHUTDOWN_COMPLETE written, health says it ended cleanly', async () => {
    const dataDir = join(tempDir('tradetrace-double-signal-'), 'd');
    // Through tsx's loader, not its CLI: the signals must reach the bot itself, back to back.
    const run = runChild(ENTRY, ['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '30s', '--data-dir', dataDir]);
    await until(() => systemLines(dataDir).some((l) => l['event_type'] === 'FEED_START'), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGINT');
    // Two kills in one tick reach the process as one pending signal; an operator's second Ctrl-C
    // comes a few ms later, while the (millisecond) shutdown runs or has just written its record.
    await new Promise((r) => setTimeout(r, 3));
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('could not be recorded');
    const types = systemLines(dataDir).map((l) => l['event_type']);
    expect(types).toContain('FEED_END');
    expect(types.filter((t) => t === 'SHUTDOWN_COMPLETE')).toHaveLength(1);
    const health = await runCli(['health', '--data-dir', dataDir]);
    expect(health.stdout, health.stderr).toContain('ENDED CLEANLY: SESSION_END reason signal, exit code 0');
  });
});
