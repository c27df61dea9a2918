import type { Recorder } from '../recorder/recorder.js';
import { reconcileOpenOrders, type ReconcileOptions, type ReconcileReport } from './reconcile.js';
import type { StateStore } from './state-store.js';
import { unsplitRecord, unsplitTotals } from './unsplit-pnl.js';

/**
 * Writes STATE_RECOVERED (audit): what the state database holds as the session starts. Realized
 * PnL is given per currency, never added across currencies; `realized_pnl` as well only when all of
 * it is in `quoteCurrency`, the session's (none at all: 0), so no reader takes another currency's
 * figure, or a sum of several, for the session's.
 */
export function logStateRecovered(store: StateStore, recorder: Recorder, quoteCurrency?: string): void {
  const snapshot = store.snapshot();
  const unsplit = unsplitTotals(store.unsplitPnl());
  const others = [...snapshot.realizedPnl.keys()].filter((currency) => currency !== quoteCurrency);
  const own = quoteCurrency !== undefined && others.length === 0 && unsplit.length === 0 ? store.realizedPnl(quoteCurrency).toString() : undefined;
  recorder.emit('STATE_RECOVERED', {
    path: store.path,
    schema_version: store.schemaVersion,
    created: store.created,
    positions: snapshot.positions.map((p) => ({ symbol: p.symbol, qty: p.qty.toString(), entry_px: p.entryPx.toString(), decision_id: p.decisionId, opened_at: new Date(p.openedAt).toISOString() })),
    open_orders: snapshot.openOrders.map((o) => ({ client_order_id: o.clientOrderId, intent_id: o.intentId, decision_id: o.decisionId, symbol: o.symbol, side: o.side, status: o.status })),
    balances: Object.fromEntries([...snapshot.balances].map(([asset, amount]) => [asset, amount.toString()])),
    ...(own === undefined ? {} : { realized_pnl: own }),
    realized_pnl_by_currency: Object.fromEntries([...snapshot.realizedPnl].map(([currency, amount]) => [currency, amount.toString()])),
    ...(unsplit.length > 0 ? { realized_pnl_unsplit: unsplit.map(unsplitRecord) } : {}),
  });
}

/**
 * A starting session's recovery, in order: log what the store holds, then reconcile every open
 * order with the exchange. Trade only after it resolves; `unresolved` lists orders whose state the
 * exchange would not tell (their symbols should stay blocked until a later start settles them).
 */
export async function recoverState(options: ReconcileOptions): Promise<ReconcileReport> {
  logStateRecovered(options.store, options.recorder, options.quoteCurrency);
  return reconcileOpenOrders(options);
}
