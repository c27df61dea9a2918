import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import type { OrderStatus } from '../domain/order-state.js';
import { ok } from '../domain/result.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder } from '../execution/exchange.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import type { ReconcileExchange } from '../store/reconcile.js';
import { recoverState } from '../store/recover-state.js';
import { StateStore } from '../store/state-store.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// A session killed with orders in flight, and its restart, which settles them (src/store/reconcile.ts,
// the real one, writes ORDER_RECONCILED in the restart). `sessions` counted such an order in both
// sessions (fills 27 and 27 where the exchange held 53 filled orders), and gave the killed session's
// PnL as unknown although its SELL_FILLED lines give it exactly.

/** The exchange as the restart finds it: by client order id, what it holds (nothing: not found). */
class Exchange implements ReconcileExchange {
  readonly orders = new Map<string, ExchangeOrder>();

  hold(clientOrderId: string, symbol: string, qty: Decimal, status: OrderStatus, filledQty: string, avgPx: string): void {
    this.orders.set(clientOrderId, {
      clientOrderId, exchangeOrderId: `ex-${clientOrderId}`, symbol, side: 'buy', type: 'limit', tif: 'IOC', qty, limitPx: null, status,
      filledQty: Decimal.parse(filledQty), filledNotional: Decimal.parse(filledQty).mul(Decimal.parse(avgPx)),
      avgPx: Decimal.parse(avgPx), fee: Decimal.ZERO, feeCurrency: 'USDT', createdAt: 0, updatedAt: 0,
    });
  }

  fetchOrderByClientId(_symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    const order = this.orders.get(clientOrderId);
    return Promise.resolve(order ? ok(order) : failure(exchangeError.notFound(`Order does not exist: ${clientOrderId}`)));
  }

  cancelOrder(_symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return Promise.resolve(failure(exchangeError.notFound(`Order does not exist: ${clientOrderId}`)));
  }
}

/** What the killed session's store held: the in-flight order, recorded before it was sent. */
function stored(dir: string, order: { decisionId: string; intentId: string; clientOrderId: string; qty: Decimal; limitPx: Decimal }): void {
  const store = StateStore.open({ dataDir: dir });
  if (store.balance('USDT').isZero()) store.setBalances({ USDT: Decimal.parse('10000') });
  store.recordOrder({ clientOrderId: order.clientOrderId, intentId: order.intentId, decisionId: order.decisionId, symbol: 'BTC/USDT', side: 'buy', qty: order.qty, limitPx: order.limitPx });
  store.close();
}

let sellCounter = 0;

/**
 * An exit sell as src/engine/exit-handler.ts writes it: EXIT_TRIGGERED naming the sell's intent, then
 * under that intent the router's ORDER_CONTEXT, ORDER_SUBMITTED and ORDER_FILLED, and SELL_FILLED
 * with the PnL the fill realized. Returns that PnL.
 */
function sell(s: SessionWriter, decisionId: string, entryPx: string, sellPx: string, qty: string): Decimal {
  sellCounter++;
  const intentId = `int_5e11${sellCounter.toString(16).padStart(12, '0')}`;
  const clientOrderId = `${intentId}-1`;
  const [entry, px, q] = [Decimal.parse(entryPx), Decimal.parse(sellPx), Decimal.parse(qty)];
  const fee = q.mul(px).mul(Decimal.parse('0.001'));
  const pnl = px.sub(entry).mul(q).sub(fee);
  const rule = px.gte(entry) ? 'take_profit' : 'stop_loss';
  s.tick(600_000);
  withDecision(decisionId, () => withIntent(intentId, () => {
    s.emit('EXIT_TRIGGERED', { intent_id: intentId, symbol: 'BTC/USDT', rule, entry_px: entry, trigger_px: px, price: px, qty: q });
    s.tick(1).emit('ORDER_CONTEXT', {
      symbol: 'BTC/USDT', side: 'sell', qty: q, limit_px: px, quote_budget: q.mul(px), notional: q.mul(px), tif: 'IOC', slippage_bps: 20,
      min_notional: Decimal.parse('5'), max_retries: 3, retry_backoff_ms: 400, attempt: 1, attempt_start_ts: s.now.getTime() / 1000, client_order_id: clientOrderId,
    });
    s.tick(2).emit('ORDER_SUBMITTED', { symbol: 'BTC/USDT', side: 'sell', attempt: 1, client_order_id: clientOrderId, exchange_order_id: `ex-${clientOrderId}`, status: 'filled' });
    s.emit('ORDER_FILLED', { symbol: 'BTC/USDT', side: 'sell', attempt: 1, client_order_id: clientOrderId, exchange_order_id: `ex-${clientOrderId}`, filled_qty: q, avg_px: px, fee, fee_currency: 'USDT', partial: false });
    s.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule, qty: q, avg_px: px, entry_px: entry, fee, realized_pnl: pnl, holding_s: 600 });
  }));
  return pnl;
}

const KILLED = 'session_20251027_100000';
const RESTART = 'session_20251027_110000';

/**
 * KILLED: two round trips (buy filled, exit sold), then two buys in flight, and a SIGKILL (no
 * SESSION_END). RESTART: reconciliation finds the first filled (booked_fill) and the second never
 * reached the exchange (not_found); then one buy of its own, and a clean end with its summary.
 */
async function killAndRestart(dir: string): Promise<{ killedPnl: Decimal }> {
  const a = new SessionWriter({ dataDir: dir, sessionId: KILLED, start: new Date('2025-10-27T10:00:00.000Z'), config: BASE_CONFIG, manifest: false });
  const first = a.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45.09' });
  const won = sell(a, first.decisionId, '45000', '45678.9', '0.001');
  const second = a.tick(60_000).buy({ symbol: 'BTC/USDT', price: '46000.1', qty: '0.003', quoteBudget: '138.27' });
  const lost = sell(a, second.decisionId, '46000.1', '45500.3', '0.003');
  const filledWhileDown = a.tick(60_000).buyInFlight({ symbol: 'BTC/USDT', price: '45100', qty: '0.001', quoteBudget: '45.19' });
  stored(dir, filledWhileDown);
  const neverSent = a.tick(60_000).buyInFlight({ symbol: 'BTC/USDT', price: '45200', qty: '0.001', quoteBudget: '45.29' });
  stored(dir, neverSent);
  a.abandon();

  const exchange = new Exchange();
  exchange.hold(filledWhileDown.clientOrderId, 'BTC/USDT', filledWhileDown.qty, 'filled', '0.001', '45100');
  const b = new SessionWriter({ dataDir: dir, sessionId: RESTART, start: new Date('2025-10-27T11:00:00.000Z'), config: BASE_CONFIG, manifest: false });
  const store = StateStore.open({ dataDir: dir, now: () => b.now.getTime() });
  await recoverState({ store, exchange, recorder: b.recorder, sleep: () => Promise.resolve(), now: () => b.now.getTime() });
  store.close();
  b.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45300', qty: '0.001', quoteBudget: '45.39' });
  b.emit('SESSION_END', { reason: 'data_end', exit_code: 0, duration_ms: 120_000, summary: { realized_pnl: '0', quote_currency: 'USDT', pnl_by_currency: { USDT: { realized_pnl: '0', realized_pnl_reconciled: '0', realized_pnl_total: won.add(lost).toString(), fees_total: '1' } } } });
  b.abandon();
  return { killedPnl: won.add(lost) };
}

const ORDERS = (dir: string): string => join(dir, 'logs', 'orders.jsonl');

/** The session's block of `sessions`' text. */
function block(stdout: string, session: string): string {
  return `${stdout.split(/\n(?=  session_)/).find((b) => b.startsWith(`  ${session}`)) ?? ''}\n`.replace(/\n\n$/, '\n');
}

describe('sessions after a kill and a restart that settled its orders', () => {
  it('counts each order once, in the session that booked it, and says where the other went', async () => {
    const dir = tempDir('tt-sessions-restart-');
    await killAndRestart(dir);
    expect(readFileSync(ORDERS(dir), 'utf8')).toContain('"outcome":"booked_fill"');
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // KILLED: its two buys and two sells (the in-flight buys are the restart's: one booked filled there, one failed there).
    expect(block(r.stdout, KILLED)).toContain('fills 4  failures 0\n');
    expect(block(r.stdout, KILLED)).toContain(`      not counted here, of orders placed here: 1 fill, 1 failure settled and counted by ${RESTART}\n`);
    expect(block(r.stdout, RESTART)).toContain('fills 2  failures 1\n');
    expect(block(r.stdout, RESTART)).toContain(`      counted here, settled in this session (as at a restart): 1 fill, 1 failure of orders placed by ${KILLED}\n`);

    const json = await runQuery(['sessions', '--json', '--data-dir', dir]);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((row) => [row['sessionId'], row['fills'], row['failures'], row['countedElsewhere'], row['placedElsewhere']])).toEqual([
      [KILLED, 4, 0, { [RESTART]: { fills: 1, partlyFilled: 0, failures: 1 } }, null],
      [RESTART, 2, 1, null, { [KILLED]: { fills: 1, partlyFilled: 0, failures: 1 } }],
    ]);
    // The sessions' fills add up to the filled orders `orders` counts.
    const orders = await runQuery(['orders', '--status', 'filled', '--json', '--data-dir', dir]);
    const intents = new Set(orders.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { intent_id?: string }).intent_id));
    expect(intents.size).toBe(6);
  });

  it("gives the killed session's realized PnL from its SELL_FILLED lines, exactly, and says so", async () => {
    const dir = tempDir('tt-sessions-restart-pnl-');
    const { killedPnl } = await killAndRestart(dir);
    // 0.6332211 + -1.6359009, in decimal: a float sum would print -1.0026798000000001.
    expect(killedPnl.toString()).toBe('-1.0026798');
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(block(r.stdout, KILLED)).toContain('      realized PnL: -1.0026798 USDT (from its 2 SELL_FILLED lines: it wrote no SESSION_END)\n');
    expect(block(r.stdout, RESTART)).toContain('      realized PnL: 0 USDT\n');
    const json = await runQuery(['sessions', '--json', '--data-dir', dir]);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((row) => [row['realizedPnl'], row['realizedPnlSource'], row['sellLines'], row['pnlUnreadable']])).toEqual([
      [{ USDT: '-1.0026798' }, 'sell_filled', 2, null],
      [{ USDT: '0' }, 'session_end', 0, null],
    ]);
  });

  it('with --since, sums the SELL_FILLED lines in the window and says so', async () => {
    const dir = tempDir('tt-sessions-restart-window-');
    await killAndRestart(dir);
    const sold = readFileSync(ORDERS(dir), 'utf8').split('\n').filter((l) => l.includes('"SELL_FILLED"'));
    const since = (JSON.parse(sold[1] ?? '') as { ts: string }).ts;
    const r = await runQuery(['sessions', '--data-dir', dir, '--since', since]);
    expect(block(r.stdout, KILLED)).toContain('      realized PnL: -1.6359009 USDT (from its 1 SELL_FILLED line in the window: it wrote no SESSION_END)\n');
  });

  it('says unknown, and where, when a SELL_FILLED line of the session is unreadable', async () => {
    const dir = tempDir('tt-sessions-restart-torn-sell-');
    await killAndRestart(dir);
    const lines = readFileSync(ORDERS(dir), 'utf8').split('\n');
    const at = lines.findLastIndex((l) => l.includes('"SELL_FILLED"'));
    lines[at] = (lines[at] ?? '').replace(/"realized_pnl":[^,]+/, '"realized_pnl":"lost"');
    writeFileSync(ORDERS(dir), lines.join('\n'));
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(block(r.stdout, KILLED)).toContain(`      realized PnL: unknown (it wrote no SESSION_END, and its SELL_FILLED line orders.jsonl:${at + 1} is unreadable)\n`);
    expect(r.stderr).toContain('unreadable');
    const json = await runQuery(['sessions', '--json', '--data-dir', dir]);
    const row = JSON.parse(json.stdout.split('\n')[0] ?? '') as Record<string, unknown>;
    expect([row['realizedPnl'], row['realizedPnlSource'], row['pnlUnreadable']]).toEqual([null, null, `its SELL_FILLED line orders.jsonl:${at + 1} is unreadable`]);
  });

  it('says unknown when a sell the session filled has no SELL_FILLED (killed between the two lines)', async () => {
    const dir = tempDir('tt-sessions-restart-cut-sell-');
    await killAndRestart(dir);
    const lines = readFileSync(ORDERS(dir), 'utf8').split('\n');
    const sold = lines.findLastIndex((l) => l.includes('"SELL_FILLED"') && l.includes(KILLED));
    const filled = lines.findLastIndex((l) => l.includes('"ORDER_FILLED"') && l.includes('"side":"sell"'));
    const intent = /"intent_id":"([^"]+)"/.exec(lines[filled] ?? '')?.[1];
    lines.splice(sold, 1);
    writeFileSync(ORDERS(dir), lines.join('\n'));
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(block(r.stdout, KILLED)).toContain(`      realized PnL: unknown (it wrote no SESSION_END, and its sell of intent ${intent ?? '?'} filled (ORDER_FILLED orders.jsonl:${filled + 1}) but has no SELL_FILLED: the bot stopped between the two, and that fill's PnL is on no line)\n`);
  });
});
