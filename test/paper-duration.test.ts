import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

interface Line {
  readonly ts: string;
  readonly event_type: string;
  readonly reason?: string;
}

describe('tradetrace paper --duration', () => {
  it('counts from FEED_START, so the ~1 s startup (watchdog thread, components) is not cut from the trading time', async () => {
    const dataDir = join(tempDir('tradetrace-paper-duration-'), 'data');
    const result = await runCli(['paper', '--synthetic', 'BTC/USDT', '--speed', '600', '--duration', '3s', '--data-dir', dataDir], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ended: duration_reached \(exit 0\)/);
    const lines = readdirSync(join(dataDir, 'logs'))
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(join(dataDir, 'logs', f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line));
    const feedStart = lines.find((l) => l.event_type === 'FEED_START');
    const requested = lines.find((l) => l.event_type === 'SHUTDOWN_REQUESTED');
    expect(requested?.reason).toBe('duration_reached');
    const elapsed = Date.parse(requested?.ts ?? '') - Date.parse(feedStart?.ts ?? '');
    // A timer never fires early; the slack is for a busy machine, well under the startup time it used to lose.
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeLessThan(3_600);
  }, 90_000);
});
