import { Decimal } from '../domain/decimal.js';
import type { Recorder } from '../recorder/recorder.js';
import { reconcileOpenOrders, type ReconcileOptions, type ReconcileReport } from './reconcile.js';
import type { StateStore } from './state-store.js';

/** Writes STATE_RECOVERED (audit): what the state database holds as the session starts. */
export function logStateRecovered(store: StateStore, recorder: Recorder): void {
  const snapshot = store.snapshot();
  recorder.emit('STATE_RECOVERED', {
    path: store.path,
    schema_version: store.schemaVersion,
    created: store.created,
    positions: snapshot.positions.map((p) => ({ symbol: p.symbol, qty: p.qty.toString(), entry_px: p.entryPx.toString(), decision_id: p.decisionId, opened_at: new Date(p.openedAt).toISOString() })),
    open_orders: snapshot.openOrders.map((o) => ({ client_order_id: o.clientOrderId, intent_id: o.intentId, decision_id: o.decisionId, symbol: o.symbol, side: o.side, status: o.status })),
    balances: Object.fromEntries([...snapshot.balances].map(([asset, amount]) => [asset, amount.toString()])),
    // One currency (the usual case) keeps its realized_pnl; several are never added into one figure.
    ...(snapshot.realizedPnl.size <= 1 ? { realized_pnl: [...snapshot.realizedPnl.values()][0] ?? Decimal.ZERO } : {}),
    realized_pnl_by_currency: Object.fromEntries([...snapshot.realizedPnl].map(([currency, amount]) => [currency, amount.toString()])),
  });
}

/**
 * A starting session's recovery, in order: log what the store holds, then reconcile every open
 * order with the exchange. Trade only after it resolves; `unresolved` lists orders whose state the
 * exchange would not tell (their symbols should stay blocked until a later start settles them).
 */
export async function recoverState(options: ReconcileOptions): Promise<ReconcileReport> {
  logStateRecovered(options.store, options.recorder);
  return reconcileOpenOrders(options);
}
