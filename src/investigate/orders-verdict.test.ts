import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// IOC orders that expired, written in the order the router settles them: with nothing filled,
// ORDER_CANCELED (the remainder) then ORDER_FAILED (slippage); with part filled, ORDER_FILLED then
// ORDER_CANCELED. An intent's outcome is its final verdict, counted as sessions and why count it.
describe('orders: an intent ends with its final verdict, not its first terminal line', () => {
  const dir = tempDir('tt-orders-verdict-');
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_140000', start: new Date('2025-10-26T14:00:00.000Z'), config: BASE_CONFIG });
  const slipped = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', expired: { filledQty: '0' } });
  const partial = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', expired: { filledQty: '0.005' } });
  const slippedAgain = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45', expired: { filledQty: '0' } });
  const filled = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  s.tick(1000).end('signal', 0);
  const intentLines = (ids: readonly string[]) =>
    readFileSync(join(dir, 'logs', 'orders.jsonl'), 'utf8').split('\n').filter((l) => ids.some((id) => l.includes(`"intent_id":"${id}"`)));

  it('--status failed lists the IOC orders that expired unfilled, with the failure reason', async () => {
    const r = await runQuery(['orders', '--status', 'failed', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^2 order intents: 0 filled, 2 failed, 0 canceled, 0 without a final state\nfailures by reason:\n {2}slippage +2 {2}latest: /);
    expect(r.stdout).toContain(`latest: ${slippedAgain.intentId} (decision ${slippedAgain.decisionId}) at 2025-10-26 14:03:00.110Z: no fill within limit 45090`);
    expect(r.stdout).toContain(`${slipped.intentId}  buy ETH/USDT  FAILED slippage  1 attempt`);
    expect(r.stdout).toContain(`${slippedAgain.intentId}  buy BTC/USDT  FAILED slippage  1 attempt`);
    expect(r.stdout).not.toContain(partial.intentId);
  });

  it('counts failures as sessions does, and a partial fill whose remainder was canceled as filled', async () => {
    const all = await runQuery(['orders', '--data-dir', dir]);
    expect(all.stdout).toMatch(/^4 order intents: 2 filled, 2 failed, 0 canceled, 0 without a final state\n/);
    expect(all.stdout).toContain(`${partial.intentId}  buy ETH/USDT  FILLED  1 attempt`);
    expect(all.stdout).toContain(`${filled.intentId}  buy BTC/USDT  FILLED  1 attempt`);
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stdout).toContain('decisions 4  fills 2  failures 2\n');
    const canceled = await runQuery(['orders', '--status', 'canceled', '--data-dir', dir]);
    expect(canceled.code).toBe(1);
  });

  it('--json prints every line of each matching intent, the cancel before the failure included', async () => {
    const r = await runQuery(['orders', '--status', 'failed', '--json', '--data-dir', dir]);
    expect(r.code).toBe(0);
    const types = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event_type: string }).event_type);
    expect(types).toEqual(['ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_CANCELED', 'ORDER_FAILED', 'ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_CANCELED', 'ORDER_FAILED']);
    expect(r.stdout.trim().split('\n')).toEqual(intentLines([slipped.intentId, slippedAgain.intentId]));
    const partialJson = await runQuery(['orders', '--intent', partial.intentId, '--json', '--data-dir', dir]);
    expect(partialJson.stdout.trim().split('\n')).toEqual(intentLines([partial.intentId]));
  });
});
