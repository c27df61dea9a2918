import { Decimal } from '../domain/decimal.js';
import type { UnsplitDailyPnl } from './records.js';
import { decimalColumn } from './row-codec.js';
import { StoreError } from './store-error.js';

/** A realized_pnl_unsplit row as better-sqlite3 returns it (written by migration 3 only). */
export interface UnsplitDailyRow {
  day: string;
  currencies: string;
  realized_pnl: string;
  fees: string;
  closed_trades: number;
}

export function unsplitFromRow(path: string, row: UnsplitDailyRow): UnsplitDailyPnl {
  const where = `realized_pnl_unsplit row ${row.day}`;
  let currencies: unknown;
  try {
    currencies = JSON.parse(row.currencies);
  } catch {
    currencies = undefined;
  }
  if (!Array.isArray(currencies) || !currencies.every((c): c is string => typeof c === 'string' && c !== '')) {
    throw new StoreError('invalid_row', `${path}: ${where} column currencies holds ${JSON.stringify(row.currencies)}; expected a JSON array of currency names such as ["BTC","USD"]`, { path, found: row.currencies, expected: 'JSON array of strings' });
  }
  return {
    day: row.day, currencies, closedTrades: row.closed_trades,
    realizedPnl: decimalColumn(path, where, 'realized_pnl', row.realized_pnl), fees: decimalColumn(path, where, 'fees', row.fees),
  };
}

/** The unsplit days of one set of currencies, added up: what a summary shows of them. */
export interface UnsplitTotal {
  /** Sorted; empty for days the file names no currency for. */
  readonly currencies: readonly string[];
  readonly days: number;
  readonly firstDay: string;
  readonly lastDay: string;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
}

/**
 * Unsplit days grouped by their set of currencies (days of BTC and USD together are added, being
 * the same mix; never with days of another set), in the order of each set's first day.
 */
export function unsplitTotals(days: readonly UnsplitDailyPnl[]): readonly UnsplitTotal[] {
  const bySet = new Map<string, UnsplitTotal>();
  for (const day of [...days].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))) {
    const key = JSON.stringify(day.currencies);
    const prev = bySet.get(key);
    bySet.set(key, {
      currencies: day.currencies, days: (prev?.days ?? 0) + 1, firstDay: prev?.firstDay ?? day.day, lastDay: day.day,
      realizedPnl: (prev?.realizedPnl ?? Decimal.ZERO).add(day.realizedPnl), fees: (prev?.fees ?? Decimal.ZERO).add(day.fees),
    });
  }
  return [...bySet.values()];
}

/**
 * True when an unsplit day may hold PnL of `currency`: it is among those that booked on it, or the
 * file names none (then any may have). A day that does not list it holds none of it.
 */
export function mayHold(day: UnsplitDailyPnl, currency: string): boolean {
  return day.currencies.length === 0 || day.currencies.includes(currency);
}

/** An UnsplitTotal as JSON-safe text (STATE_RECOVERED's realized_pnl_unsplit, SESSION_END's pnl_unsplit). */
export interface UnsplitRecord {
  currencies: string[];
  days: number;
  first_day: string;
  last_day: string;
  realized_pnl: string;
  fees: string;
}

export function unsplitRecord(total: UnsplitTotal): UnsplitRecord {
  return { currencies: [...total.currencies], days: total.days, first_day: total.firstDay, last_day: total.lastDay, realized_pnl: total.realizedPnl.toString(), fees: total.fees.toString() };
}
