import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

/** What src/engine/order-watcher.ts writes when it finds the order of a decision that ended failed filled at the exchange. */
function watcherFill(s: SessionWriter, ids: { decisionId: string; intentId: string }, symbol: string): void {
  withDecision(ids.decisionId, () =>
    withIntent(ids.intentId, () => {
      const qty = Decimal.parse('0.02');
      const px = Decimal.parse('2501');
      s.emit('ORDER_FILLED', { symbol, side: 'buy', attempt: 1, client_order_id: `${ids.intentId}-1`, exchange_order_id: 'ex-late', filled_qty: qty, avg_px: px, fee: Decimal.ZERO, fee_currency: 'ETH', partial: false });
      s.emit('BUY_FILLED', { symbol, qty, avg_px: px, fee: Decimal.ZERO, fee_currency: 'ETH', notional: qty.mul(px), partial: false });
    }),
  );
}

const timeout = { reason: 'timeout_exhausted' as const, message: 'attempt 1 timed out and order could not be looked up; not resending' };

// The router gives up on an order (DECISION_END failed, timeout_exhausted); the order watcher later
// finds it filled and writes ORDER_FILLED and BUY_FILLED under the same decision, after its DECISION_END.
describe('why: a buy the exchange filled after the decision ended failed', () => {
  const dir = tempDir('tt-why-late-fill-');
  const A = 'session_20251029_090000';
  const B = 'session_20251029_120000';
  const a = new SessionWriter({ dataDir: dir, sessionId: A, start: new Date('2025-10-29T09:00:00.000Z'), config: BASE_CONFIG });
  const late = a.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', failure: timeout });
  const stays = a.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', failure: timeout });
  const afterRestart = a.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', failure: timeout });
  a.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  a.tick(60_000).blocked('BTC/USDT', 'max_open_positions', 1, 1, '1 position open, the maximum is 1');
  watcherFill(a.tick(60_000), late, 'ETH/USDT');
  a.tick(1000).end('signal', 0);
  // The restarted bot's order watcher finds the third order filled: written in session B, under the
  // decision of session A (decision ids are unique across sessions), so that decision was a purchase.
  const b = new SessionWriter({ dataDir: dir, sessionId: B, start: new Date('2025-10-29T12:00:00.000Z'), config: BASE_CONFIG });
  watcherFill(b.tick(60_000), afterRestart, 'ETH/USDT');
  b.tick(1000).end('signal', 0);

  it('counts it bought, and says how many were filled late', async () => {
    const r = await runQuery(['why', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^5 decisions: 3 bought\nby outcome: filled 3 \(2 after the decision ended failed: the exchange filled the order late\), blocked 1, failed 1\n/);
    // The latest failure shown is the one that stayed unfilled, not the one filled since.
    expect(r.stdout).toContain(`latest failed: ${stays.decisionId} at `);
    expect(r.stdout).not.toContain(late.decisionId);
  });

  it('--json: outcomes count it filled, and filled_late says how many of those were', async () => {
    const r = await runQuery(['why', '--json', '--data-dir', dir]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { decisions: number; outcomes: Record<string, number>; filled_late: number };
    expect(out).toMatchObject({ decisions: 5, outcomes: { filled: 3, failed: 1, blocked: 1 }, filled_late: 2 });
  });

  it('narrowed to the symbol or the session, and with a window holding the failure but not the fill', async () => {
    const eth = JSON.parse((await runQuery(['why', 'ETH/USDT', '--json', '--data-dir', dir])).stdout) as { outcomes: Record<string, number>; filled_late: number };
    expect(eth).toMatchObject({ outcomes: { filled: 2, failed: 1 }, filled_late: 2 });
    // Session A's decisions, whichever session found their fills.
    const inA = JSON.parse((await runQuery(['why', '--session', A, '--json', '--data-dir', dir])).stdout) as { filled_late: number };
    expect(inA.filled_late).toBe(2);
    // Up to before the watcher's fills, the decisions had failed: that is what the window saw.
    const until = await runQuery(['why', '--until', '2025-10-29T09:05:30Z', '--json', '--data-dir', dir]);
    expect(JSON.parse(until.stdout)).toMatchObject({ outcomes: { filled: 1, failed: 3 }, filled_late: 0 });
  });

  it('counts a buy that restart reconciliation found filled (ORDER_RECONCILED in orders.jsonl), as orders and sessions do', async () => {
    const rdir = tempDir('tt-why-reconciled-');
    const first = new SessionWriter({ dataDir: rdir, sessionId: A, start: new Date('2025-10-29T09:00:00.000Z'), config: BASE_CONFIG });
    const lost = first.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.02', quoteBudget: '50', failure: timeout });
    first.abandon();
    const next = new SessionWriter({ dataDir: rdir, sessionId: B, start: new Date('2025-10-29T12:00:00.000Z'), config: BASE_CONFIG });
    withDecision(lost.decisionId, () =>
      withIntent(lost.intentId, () =>
        next.tick(1000).emit('ORDER_RECONCILED', {
          symbol: 'ETH/USDT', side: 'buy', client_order_id: `${lost.intentId}-1`, outcome: 'booked_fill', previous_status: 'unknown', status: 'filled',
          exchange_status: 'filled', filled_qty: Decimal.parse('0.02'), booked_qty: Decimal.parse('0.02'), details: 'filled at the exchange while the bot was down; booked',
        }),
      ),
    );
    next.tick(1000).end('signal', 0);
    const r = JSON.parse((await runQuery(['why', '--json', '--data-dir', rdir])).stdout) as { outcomes: Record<string, number>; filled_late: number };
    expect(r).toMatchObject({ outcomes: { filled: 1 }, filled_late: 1 });
    const orders = await runQuery(['orders', '--data-dir', rdir]);
    expect(orders.stdout).toMatch(/^1 order intent: 1 filled, 0 failed/);
  });

  it('with no late fill, the text is as before', async () => {
    const r = await runQuery(['why', 'BTC/USDT', '--data-dir', dir]);
    expect(r.stdout).toMatch(/^2 decisions for BTC\/USDT: 1 bought\nby outcome: filled 1, blocked 1\n/);
  });
});
