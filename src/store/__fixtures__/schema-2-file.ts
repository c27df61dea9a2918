import { join } from 'node:path';
import { Decimal } from '../../domain/decimal.js';
import { MIGRATIONS } from '../migrations.js';
import { openDatabase } from '../open-database.js';

export interface OldOrder {
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  /** What filled (default: all of qty). */
  readonly filled?: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly at: number;
}

export interface OldPosition {
  readonly id: number;
  readonly symbol: string;
  readonly open: boolean;
  readonly realized: string;
  readonly fees: string;
  readonly openedAt: number;
  readonly closedAt?: number;
  readonly orders: readonly OldOrder[];
}

export type OldDay = readonly [day: string, realized: string, fees: string, trades: number];

/**
 * A state file as the schema-2 code left it: created by the released migrations 1 and 2, its rows
 * written as that code's bookings wrote them (one realized_pnl_daily row per day, every currency in it).
 */
export function schema2File(dir: string, positions: readonly OldPosition[], days: readonly OldDay[]): void {
  const { db } = openDatabase(join(dir, 'state.sqlite'), { migrations: MIGRATIONS.slice(0, 2), now: () => Date.UTC(2022, 0, 1) });
  const insertPosition = db.prepare(`INSERT INTO positions (id, symbol, status, qty, entry_px, entry_cost, entry_fees, fees_paid, realized_pnl, peak_px, decision_id, opened_at, updated_at, closed_at)
    VALUES (@id, @symbol, @status, @qty, '1', @cost, '0', @fees, @realized, '1', @decision, @opened, @updated, @closed)`);
  const insertOrder = db.prepare(`INSERT INTO orders (client_order_id, intent_id, decision_id, symbol, side, qty, limit_px, status, exit_rule, exchange_order_id, filled_qty, filled_notional, fee_booked, fee_currency, created_at, updated_at)
    VALUES (@id, @intent, @decision, @symbol, @side, @qty, '1', @status, NULL, NULL, @filled, @filled, @fee, @feeCurrency, @at, @at)`);
  for (const p of positions) {
    const decision = `dec_20220101_000000_00000${p.id}`;
    const held = p.orders.reduce((sum, o) => (o.side === 'buy' ? sum.add(Decimal.parse(o.filled ?? o.qty)) : sum.sub(Decimal.parse(o.filled ?? o.qty))), Decimal.ZERO).toString();
    insertPosition.run({
      id: p.id, symbol: p.symbol, status: p.open ? 'open' : 'closed', qty: held, cost: held, fees: p.fees, realized: p.realized, decision,
      opened: p.openedAt, updated: p.closedAt ?? p.openedAt, closed: p.closedAt ?? null,
    });
    p.orders.forEach((o, i) => {
      const filled = o.filled ?? o.qty;
      insertOrder.run({ id: `int_00000000000000${p.id}${i}-1`, intent: `int_00000000000000${p.id}${i}`, decision, symbol: p.symbol, side: o.side, qty: o.qty, filled, status: filled === '0' ? 'expired' : 'filled', fee: o.fee, feeCurrency: o.feeCurrency, at: o.at });
    });
  }
  const insertDay = db.prepare('INSERT INTO realized_pnl_daily (day, realized_pnl, fees, closed_trades) VALUES (?, ?, ?, ?)');
  for (const day of days) insertDay.run(...day);
  db.close();
}
