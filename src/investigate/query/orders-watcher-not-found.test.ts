import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { ok } from '../../domain/result.js';
import { exchangeError, failure, type ExchangeResult } from '../../execution/exchange-error.js';
import type { ExchangeOrder } from '../../execution/exchange.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';
import type { ReconcileExchange } from '../../store/reconcile.js';
import { recoverState } from '../../store/recover-state.js';
import { StateStore } from '../../store/state-store.js';
import { BASE_CONFIG } from '../testing/incidents.js';
import { SessionWriter } from '../testing/session-writer.js';

/** An exchange whose every look-up times out (the restart's reconciliation finds the order `unknown`). */
class Unreachable implements ReconcileExchange {
  fetchOrderByClientId(): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.resolve(failure(exchangeError.timeout('timed out after 5000ms', true)));
  }
  cancelOrder(): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.resolve(ok(undefined as never));
  }
}

type InFlight = ReturnType<SessionWriter['buyInFlight']>;

/**
 * A bot killed with a buy in flight (ORDER_CONTEXT written, the order recorded, never sent); the
 * restart's reconciliation cannot reach the exchange (unknown, "checked again at the next start"),
 * then the restart's order watcher asks again and the exchange has no such order: never placed.
 * `typed`: what src/engine/order-watcher.ts writes now (its LOG warn and ORDER_RECONCILED not_found);
 * without, the LOG line alone, as it wrote before.
 */
async function killedThenNeverPlaced(typed: boolean): Promise<{ dir: string; A: string; B: string; flying: InFlight }> {
  const dir = tempDir('tt-orders-watcher-not-found-');
  const A = 'session_20251030_100000';
  const B = 'session_20251030_101000';
  const a = new SessionWriter({ dataDir: dir, sessionId: A, start: new Date('2025-10-30T10:00:00.000Z'), config: BASE_CONFIG });
  a.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  const flying = a.tick(60_000).buyInFlight({ symbol: 'BTC/USDT', price: '45100', qty: '0.001', quoteBudget: '45' });
  a.abandon();
  const killed = StateStore.open({ dataDir: dir });
  killed.setBalances({ USDT: Decimal.parse('10000') });
  killed.recordOrder({ clientOrderId: flying.clientOrderId, intentId: flying.intentId, decisionId: flying.decisionId, symbol: 'BTC/USDT', side: 'buy', qty: flying.qty, limitPx: flying.limitPx });
  killed.close();

  const b = new SessionWriter({ dataDir: dir, sessionId: B, start: new Date('2025-10-30T10:10:00.000Z'), config: BASE_CONFIG });
  const store = StateStore.open({ dataDir: dir, now: () => b.now.getTime() });
  await recoverState({ store, exchange: new Unreachable(), recorder: b.recorder, sleep: () => Promise.resolve(), now: () => b.now.getTime() });
  store.close();
  b.tick(3000);
  withDecision(flying.decisionId, () => withIntent(flying.intentId, () => {
    const data = { client_order_id: flying.clientOrderId, symbol: 'BTC/USDT', side: 'buy', previous_status: 'unknown', status: 'not_found' };
    const message = `order ${flying.clientOrderId} (buy 0.001 BTC/USDT), unknown since its attempt got no answer, is not on the exchange (Order does not exist): it was never placed. Marked not_found: it is not asked about again nor ever sent again, and nothing of it was filled`;
    if (typed) {
      b.emit('ORDER_RECONCILED', {
        symbol: 'BTC/USDT', side: 'buy', client_order_id: flying.clientOrderId, outcome: 'not_found', previous_status: 'unknown', status: 'not_found',
        filled_qty: Decimal.ZERO, booked_qty: Decimal.ZERO,
        details: `the order watcher asked the exchange again: it has no order ${flying.clientOrderId} (Order does not exist): never placed, nothing filled; not asked about again nor ever sent again`,
      });
    }
    b.recorder.emit('LOG', { component: 'OrderWatcher', message, data }, { level: 'warn' });
  }));
  b.tick(60_000).end('signal', 0);
  return { dir, A, B, flying };
}

describe('orders and trace: an order a restart found unknown, then its order watcher found never placed', () => {
  it('orders counts it failed, not_found, settled by the order watcher, and --status finds it there', async () => {
    const { dir, A, B, flying } = await killedThenNeverPlaced(true);
    const r = await runQuery(['orders', '--intent', flying.intentId, '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^1 order intent: 0 filled, 1 failed, 0 canceled, 0 without a final state \(1 settled by restart reconciliation, 1 of them by its order watcher\)\nfailures by reason:\n {2}not_found +1 /);
    expect(r.stdout).toContain(`${flying.intentId}  buy BTC/USDT  FAILED not_found  1 attempt`);
    expect(r.stdout).toContain(`    settled by the order watcher in ${B} (placed in ${A}) at 2025-10-30 10:10:03.000Z: not_found: filled 0, booked 0, status unknown -> not_found: the order watcher asked the exchange again`);
    const failed = await runQuery(['orders', '--status', 'failed', '--data-dir', dir]);
    expect(failed.stdout).toContain(`${flying.intentId}  buy BTC/USDT  FAILED not_found`);
    const open = await runQuery(['orders', '--status', 'open', '--data-dir', dir]);
    expect(open.code).toBe(1);
  });

  it('trace gives the watcher\'s verdict, not the restart\'s unknown, and says who looked it up', async () => {
    const { dir, B, flying } = await killedThenNeverPlaced(true);
    for (const mode of [[], ['--no-index']]) {
      const r = await runQuery(['trace', flying.decisionId, '--data-dir', dir, ...mode]);
      expect(r.code, mode.join(' ')).toBe(0);
      expect(r.stdout).toContain(`\nUNFINISHED: the bot stopped with the order in flight (no DECISION_END); the order watcher in ${B} found the order not_found: the order watcher asked the exchange again: it has no order ${flying.clientOrderId}`);
      expect(r.stdout).toContain(`ORDER_RECONCILED order ${flying.clientOrderId} reconciled on restart in ${B}: unknown`);
      expect(r.stdout).toContain(`ORDER_RECONCILED order ${flying.clientOrderId} looked up by the order watcher in ${B}: not_found`);
    }
  });

  it('trace reads the watcher\'s LOG line (its data) in logs written before it wrote ORDER_RECONCILED', async () => {
    const { dir, B, flying } = await killedThenNeverPlaced(false);
    const r = await runQuery(['trace', flying.decisionId, '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\nUNFINISHED: the bot stopped with the order in flight (no DECISION_END); the order watcher in ${B} found the order not_found: order ${flying.clientOrderId} (buy 0.001 BTC/USDT), unknown since its attempt got no answer, is not on the exchange`);
    expect(r.stdout).not.toContain('found the order unknown');
  });
});
