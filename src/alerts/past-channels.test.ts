import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { evaluatePastLogs } from './evaluate-past.js';
import { OBSERVED_CHANNELS } from './log-replay.js';

/**
 * A real paper session with injected order faults (so order_failure_rate fires), killed mid-run
 * (so heartbeat_missing fires at `nowMs`): its decisions and dashboard lines are most of its lines.
 */
async function faultySession(): Promise<string> {
  const dataDir = join(tempDir('tt-alerts-channels-'), 'data');
  const result = await runCli(
    [
      'paper', '--synthetic', 'BTC/USDT,ETH/USDT', '--speed', 'max', '--duration', '3s', '--data-dir', dataDir,
      '--set', 'paper_exchange.fault_reject=0.6', '--set', 'paper_exchange.fault_timeout=0.2', '--set', 'runtime.heartbeat_interval=1s',
    ],
    { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 120_000 },
  );
  expect(result.code, result.stderr).toBe(0);
  return join(dataDir, 'logs');
}

describe('tradetrace alerts over past logs', () => {
  it('reads only the channels its rules watch, and finds the same alerts as a replay of every channel', async () => {
    const logsDir = await faultySession();
    const nowMs = Date.now() + 3_600_000;
    const options = { orderFailure: { minIntents: 4 } };
    const every = await evaluatePastLogs(logsDir, { nowMs, options, channels: OBSERVED_CHANNELS });
    const watched = await evaluatePastLogs(logsDir, { nowMs, options });
    expect(watched.channels).toEqual(['orders', 'audit', 'system']);
    expect(watched.linesRead).toBeLessThan(every.linesRead / 2);
    expect(every.transitions.filter((t) => t.kind === 'fired').map((t) => t.rule)).toContain('order_failure_rate');
    expect(watched.transitions).toEqual(every.transitions);
    expect(watched.open).toEqual(every.open);
  }, 180_000);

  it('answers even when decisions.jsonl cannot be read, as it never reads it', async () => {
    const logsDir = await faultySession();
    rmSync(join(logsDir, 'decisions.jsonl'));
    mkdirSync(join(logsDir, 'decisions.jsonl'));
    const r = await runCli(['alerts', '--data-dir', join(logsDir, '..')], { timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(/decisions\.jsonl/);
    expect(r.stdout).toMatch(/lines read from the orders, audit, system logs in /);
  }, 180_000);
});
