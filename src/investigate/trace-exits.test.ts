import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// A filled buy's decision also holds its position's exits: the verdict must keep their order lines apart.
describe('trace: a buy and the exits of its position', () => {
  const dir = tempDir('tt-exits-');
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_130000', start: new Date('2025-10-26T13:00:00.000Z'), config: BASE_CONFIG });
  const retriedExit = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  s.exit(retriedExit.decisionId, 'BTC/USDT', '45000', '45500', '0.001', 600, {
    retries: [{ retry: 'timeout', message: 'request timed out after 5000ms' }, { retry: 'network', message: 'ECONNRESET' }],
  });
  const failedExit = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', retries: [{ retry: 'rate_limited', message: 'HTTP 429' }] });
  s.exit(failedExit.decisionId, 'ETH/USDT', '2500', '2400', '0.02', 300, { failure: { reason: 'insufficient_balance', message: 'attempt 1: insufficient_balance: 0.01 ETH free' } });
  // Refused before it was sent: an ORDER_FAILED with no ORDER_CONTEXT (the router checks the intent first).
  const refused = 'dec_20251026_131000_00ff01';
  s.tick(60_000).emit('DECISION_START', { decision_id: refused, symbol: 'BTC/USDT', bar_ts: '2025-10-26T13:10:00.000Z', price: Decimal.parse('45000'), strategy: 'ema_cross' });
  s.tick(1).emit('ORDER_FAILED', { decision_id: refused, intent_id: 'int_00000000000000ff', symbol: 'BTC/USDT', side: 'buy', reason: 'invalid_order', message: 'reference price 0: expected a positive price', attempt: 1 });
  s.tick(1).emit('DECISION_END', { decision_id: refused, symbol: 'BTC/USDT', outcome: 'failed', duration_ms: 2, reason: 'invalid_order' });
  s.tick(1000).end('signal', 0);

  it("counts an exit's retries on the exit, not on the buy", async () => {
    const r = await runQuery(['trace', retriedExit.decisionId, '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FILLED: bought 0.001 BTC/USDT at 45000; position closed by take_profit at 45500 after 2 retries (timeout, network), realized PnL');
  });

  it('names the failure of a buy refused before it was sent', async () => {
    const r = await runQuery(['trace', refused, '--data-dir', dir]);
    expect(r.stdout).toContain('FAILED: the order failed for good on attempt 1: invalid_order: reference price 0: expected a positive price');
  });

  it("reports a failed exit as the position still open, and keeps the buy's own retry on the buy", async () => {
    const r = await runQuery(['trace', failedExit.decisionId, '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FILLED: bought 0.02 ETH/USDT at 2500 after 1 retry (rate_limited); the position is still open: 1 exit order failed, the last: insufficient_balance: attempt 1: insufficient_balance: 0.01 ETH free');
    expect(r.stdout).not.toContain('FAILED: the order failed for good');
  });
});
