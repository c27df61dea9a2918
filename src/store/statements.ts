import type Database from 'better-sqlite3';

/** Every statement the store runs, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    openPositions: db.prepare("SELECT * FROM positions WHERE status = 'open' ORDER BY id"),
    insertPosition: db.prepare(`INSERT INTO positions (symbol, status, qty, entry_px, entry_cost, entry_fees, fees_paid, realized_pnl, peak_px, decision_id, opened_at, updated_at)
      VALUES (@symbol, 'open', @qty, @entry_px, @entry_cost, @entry_fees, @fees_paid, @realized_pnl, @peak_px, @decision_id, @opened_at, @updated_at)`),
    updatePosition: db.prepare(`UPDATE positions SET status = @status, qty = @qty, entry_px = @entry_px, entry_cost = @entry_cost, entry_fees = @entry_fees, fees_paid = @fees_paid,
      realized_pnl = @realized_pnl, peak_px = @peak_px, decision_id = @decision_id, opened_at = @opened_at, updated_at = @updated_at, closed_at = @closed_at WHERE id = @id`),
    updatePeak: db.prepare("UPDATE positions SET peak_px = ?, updated_at = ? WHERE id = ? AND status = 'open'"),
    unsettledOrders: db.prepare("SELECT * FROM orders WHERE status IN ('new', 'submitted', 'partially_filled', 'pending_cancel', 'unknown') ORDER BY created_at, client_order_id"),
    orderById: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
    insertOrder: db.prepare(`INSERT INTO orders (client_order_id, intent_id, decision_id, symbol, side, qty, limit_px, status, exit_rule, exchange_order_id,
      filled_qty, filled_notional, fee_booked, fee_currency, created_at, updated_at)
      VALUES (@client_order_id, @intent_id, @decision_id, @symbol, @side, @qty, @limit_px, 'new', @exit_rule, NULL, '0', '0', '0', NULL, @created_at, @created_at)`),
    updateOrder: db.prepare(`UPDATE orders SET status = @status, exchange_order_id = @exchange_order_id, filled_qty = @filled_qty, filled_notional = @filled_notional,
      fee_booked = @fee_booked, fee_currency = @fee_currency, updated_at = @updated_at WHERE client_order_id = @client_order_id`),
    balances: db.prepare('SELECT asset, amount FROM balances ORDER BY asset'),
    upsertBalance: db.prepare('INSERT INTO balances (asset, amount, updated_at) VALUES (?, ?, ?) ON CONFLICT (asset) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at'),
    deleteBalance: db.prepare('DELETE FROM balances WHERE asset = ?'),
    dailyPnl: db.prepare('SELECT day, currency, realized_pnl, fees, closed_trades FROM realized_pnl_daily ORDER BY day, currency'),
    unsplitPnl: db.prepare('SELECT day, currencies, realized_pnl, fees, closed_trades FROM realized_pnl_unsplit ORDER BY day'),
    upsertDailyPnl: db.prepare(`INSERT INTO realized_pnl_daily (day, currency, realized_pnl, fees, closed_trades) VALUES (@day, @currency, @realized_pnl, @fees, @closed_trades)
      ON CONFLICT (day, currency) DO UPDATE SET realized_pnl = excluded.realized_pnl, fees = excluded.fees, closed_trades = excluded.closed_trades`),
    exits: db.prepare('SELECT symbol, exited_at, decision_id FROM symbol_exits ORDER BY symbol'),
    upsertExit: db.prepare('INSERT INTO symbol_exits (symbol, exited_at, decision_id) VALUES (?, ?, ?) ON CONFLICT (symbol) DO UPDATE SET exited_at = excluded.exited_at, decision_id = excluded.decision_id'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
