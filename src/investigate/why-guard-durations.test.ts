import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

describe('why: guards whose values are times', () => {
  it('shows the cooldown and the data age as durations, not as milliseconds', async () => {
    const dir = tempDir('tt-why-durations-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251030_080000', start: new Date('2025-10-30T08:00:00.000Z'), config: BASE_CONFIG });
    s.tick(60_000).blocked('BTC/USDT', 'cooldown', 250_000, 300_000, 'last exit in BTC/USDT was 250s ago; cooldown is 300s');
    s.tick(60_000).blocked('BTC/USDT', 'stale_data', 185_500, 120_000, 'latest BTC/USDT bar closed 185.5s ago; data older than 120s is stale');
    s.tick(60_000).blocked('BTC/USDT', 'max_open_positions', 1, 1, '1 position open (BTC/USDT), the maximum is 1');
    s.tick(1000).end('signal', 0);
    const r = await runQuery(['why', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cooldown +1x {2}4m 10s vs 5m 00s\n/);
    expect(r.stdout).toMatch(/stale_data +1x {2}3m 05s vs 2m 00s\n/);
    // Counts stay counts.
    expect(r.stdout).toMatch(/max_open_positions +1x {2}1 vs 1\n/);
  });
});
