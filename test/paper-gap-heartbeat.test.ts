import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { BTC_PERP_CSV, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';
import { waitUntil } from './support/wait-until.js';

interface Line {
  readonly ts: string;
  readonly event_type: string;
  readonly [field: string]: unknown;
}

const hasData = sharedDataAvailable();

function systemLines(dataDir: string): Line[] {
  const path = join(dataDir, 'logs', 'system.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
}

describe.skipIf(!hasData)('tradetrace paper: a paced replay waiting through a gap in the candles', () => {
  it('is not read as a hang: the loops stay alive in the heartbeats, health, the status line and the in-bot alert; DATA_GAP says so as the wait begins', async () => {
    // The BTC-PERP month's first 60 minutes, then from 2022-01-07 21:40: 9939 minutes missing, a
    // ~8 s wait at 75000x, well past the loops' 3 s stall threshold (3 periods of 1 s).
    const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
    const data = join(tempDir('tradetrace-gap-'), 'btc-perp-gap_1m.csv');
    writeFileSync(data, [...lines.slice(0, 61), ...lines.slice(10_000, 10_030)].join('\n') + '\n');
    const dataDir = join(tempDir('tradetrace-gap-'), 'data');
    const run = runCli(
      ['paper', '--data', data, '--symbol', 'BTC/USD', '--set', 'trading.quote_currency=USD', '--set', 'runtime.heartbeat_interval=500ms', '--speed', '75000', '--data-dir', dataDir],
      { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 },
    );
    const decisions = join(dataDir, 'logs', 'decisions.jsonl');
    // The last bar before the gap (open 2022-01-01 00:00) decided: the wait begins.
    await waitUntil('the decision on the bar before the gap', () => existsSync(decisions) && readFileSync(decisions, 'utf8').includes('dec_20220101_000000_'), 30_000, 50);
    // 3.5 s into the wait: past the stall threshold, before the bar after the gap.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const gapByThen = systemLines(dataDir).find((l) => l.event_type === 'DATA_GAP');
    const health = await runCli(['health', '--data-dir', dataDir], { timeoutMs: 30_000 });
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(health.stdout).not.toMatch(/HUNG/);
    expect(health.stdout).toMatch(/MarketDataLoop\s+alive/);
    expect(health.stdout).toMatch(/DecisionLoop\s+alive/);

    const all = systemLines(dataDir);
    // Written as the wait began, not once the bar after the gap came.
    expect(gapByThen).toBeDefined();
    const gap = gapByThen ?? { ts: '', event_type: '' };
    expect(gap).toMatchObject({ symbol: 'BTC/USD', from: '2022-01-01T00:01:00.000Z', to: '2022-01-07T21:39:00.000Z', missing_bars: 9939 });
    expect(Number(gap['wait_s'])).toBeGreaterThan(5.5);
    expect(all.filter((l) => l.event_type === 'DATA_GAP')).toHaveLength(1);
    // Every heartbeat from the gap's report to the end of the session: both loops alive.
    const during = all.filter((l) => l.event_type === 'SHUTDOWN_HEARTBEAT' && l.ts >= gap.ts);
    expect(during.length).toBeGreaterThanOrEqual(8);
    for (const beat of during) {
      const threads = beat['registered_threads'] as Array<{ name: string; alive: boolean }>;
      expect(threads.filter((t) => t.name === 'MarketDataLoop' || t.name === 'DecisionLoop').map((t) => t.alive), beat.ts).toEqual([true, true]);
    }
    const fired = all.filter((l) => l.event_type === 'ALERT_FIRED' && l['rule'] === 'heartbeat_missing' && l.ts >= gap.ts);
    expect(fired).toEqual([]);
    expect(result.stdout).not.toMatch(/STALLED MarketDataLoop \(\d/);
  }, 90_000);
});
