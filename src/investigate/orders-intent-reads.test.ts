import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter, type BuyResult } from './testing/session-writer.js';

/** Two sessions of buys: filled, failed after retries, filled after a retry. */
function writeLogs(dir: string): BuyResult[] {
  const buys: BuyResult[] = [];
  for (const [k, start] of ['2025-10-29T09:00:00.000Z', '2025-10-29T10:00:00.000Z'].entries()) {
    const s = new SessionWriter({ dataDir: dir, sessionId: `session_20251029_${String(9 + k).padStart(2, '0')}0000`, start: new Date(start), config: BASE_CONFIG });
    buys.push(s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' }));
    buys.push(s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.01', quoteBudget: '25', retries: [{ retry: 'timeout', message: 'timed out' }], failure: { reason: 'min_notional', message: 'too small' } }));
    buys.push(s.tick(60_000).buy({ symbol: 'SOL/USDT', price: '150', qty: '0.1', quoteBudget: '15', retries: [{ retry: 'rate_limited', message: 'slow down' }] }));
    s.tick(1000).end('signal', 0);
  }
  return buys;
}

describe('orders --intent reads the orders logs only', () => {
  it('answers without reading or indexing the decisions logs, as plain orders does', async () => {
    const dir = tempDir('tt-orders-intent-reads-');
    const buys = writeLogs(dir);
    // A rotated decisions log that cannot be read at all (not gzip): a query that opened it would fail on it.
    writeFileSync(join(dir, 'logs', 'decisions.20251029T083000000Z.jsonl.gz'), 'not gzip data\n');
    const all = await runQuery(['orders', '--data-dir', dir]);
    expect([all.code, all.stderr]).toEqual([0, '']);
    expect(all.stdout).toMatch(/^6 order intents: 4 filled, 2 failed, /);

    const failed = buys[1]?.intentId ?? '';
    const one = await runQuery(['orders', '--intent', failed, '--data-dir', dir]);
    expect([one.code, one.stderr]).toEqual([0, '']);
    expect(one.stdout).toMatch(/^1 order intent: 0 filled, 1 failed, /);
    expect(one.stdout).toContain(`${failed}  buy ETH/USDT  FAILED min_notional  2 attempts`);

    // A prefix every id shares names no one intent: refused, with the candidates, text and --json alike.
    const shared = await runQuery(['orders', '--intent', 'int_', '--data-dir', dir]);
    expect(shared.code).toBe(2);
    expect(shared.stderr).toContain(failed);
    expect((await runQuery(['orders', '--intent', 'int_', '--json', '--data-dir', dir])).code).toBe(2);
    // Nothing was indexed (the index would cover every channel, decisions included).
    expect(existsSync(join(dir, 'index')) ? readdirSync(join(dir, 'index')) : []).toEqual([]);
  });
});
