import { Decimal } from '../domain/decimal.js';
import { UNKNOWN_CURRENCY, UNSPLIT_JOIN } from './records.js';
import { utcDay } from './row-codec.js';

const DAY_MS = 86_400_000;

/** A realized_pnl_daily row as schema 1 and 2 wrote it: one per day, every currency added together. */
export interface UnsplitDailyRow {
  readonly day: string;
  readonly realized_pnl: string;
  readonly fees: string;
  readonly closed_trades: number;
}

/** The schema-2 columns of a position that say when it booked, in which market, and how much. */
export interface PositionLife {
  readonly symbol: string;
  readonly status: string;
  readonly realized_pnl: string;
  readonly fees_paid: string;
  readonly decision_id: string;
  readonly opened_at: number;
  readonly updated_at: number;
  readonly closed_at: number | null;
}

/** The schema-2 columns of an order that booked something (a fill or a fee). */
export interface BookedOrder {
  readonly symbol: string;
  readonly side: string;
  readonly decision_id: string;
  readonly filled_qty: string;
  readonly fee_booked: string;
  readonly fee_currency: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

export interface CurrencyDailyRow extends UnsplitDailyRow {
  readonly currency: string;
}

function market(symbol: string): { base: string; quote: string } | undefined {
  const [base, quote, ...rest] = symbol.split('/');
  return base && quote && rest.length === 0 ? { base, quote } : undefined;
}

/** The UTC days from `a` to `b` (ms, either order), as `YYYY-MM-DD` text bounds. */
function span(a: number, b: number): { from: string; to: string } {
  return { from: utcDay(Math.min(a, b)), to: utcDay(Math.max(a, b)) };
}

const within = (day: string, s: { from: string; to: string }): boolean => s.from <= day && day <= s.to;

function positionSpan(p: PositionLife): { from: string; to: string } {
  return span(p.opened_at, Math.max(p.updated_at, p.closed_at ?? p.updated_at));
}

/** What the base-currency fee took from an order's quantity (zero when the fee was paid in quote). */
function baseFee(order: BookedOrder): Decimal {
  return order.fee_currency !== null && order.fee_currency === market(order.symbol)?.base ? Decimal.parse(order.fee_booked) : Decimal.ZERO;
}

interface Part {
  readonly realized: Decimal;
  readonly fees: Decimal;
  readonly trades: number;
}

/**
 * Gives each day's realized PnL, fees and closed trades, booked before schema 3 as one row per day
 * whatever the currency, to the quote currencies that booked them, changing no amount: the rows of
 * a day add up, to the last digit, to the row it had.
 *
 * A fill books into the day of its time, and a position's fills all fall between its opening and
 * its last update, an order's between its creation and its last update. So the currencies that can
 * have booked on a day are those of the positions and orders whose lives touch it:
 * - one currency (nearly always: a data directory traded one quote currency that day): the whole
 *   row is that currency's, copied as it was;
 * - none (nothing of that day is left in the file): the file's only currency if it traded one,
 *   else kept whole, unsplit, under all of them (as below);
 * - several: a currency whose every booking that day is a position opened and closed that day,
 *   whose orders are exactly that position's (bought and sold quantities balance, no order of it
 *   outside the day, none that only paid a fee) gets the sum of those positions' realized PnL, fees
 *   and count: exactly what they booked. What is left of the row then belongs to the currencies
 *   that are not so contained: to the one, exactly, when only one is left; when two or more are,
 *   no stored figure says how they share it, so it is kept whole under their joined names
 *   ('BTC+USD', see isUnsplitCurrency), which no daily loss limit counts and the summary shows as
 *   not split.
 */
export function splitDailyPnl(rows: readonly UnsplitDailyRow[], positions: readonly PositionLife[], orders: readonly BookedOrder[]): CurrencyDailyRow[] {
  // Per day, the currencies whose positions or orders were alive that day (each life walked day by day).
  const touched = new Map<string, Set<string>>();
  const everyCurrency = new Set<string>();
  const note = (symbol: string, s: { from: string; to: string }): void => {
    const quote = market(symbol)?.quote;
    if (quote === undefined) return;
    everyCurrency.add(quote);
    for (let t = Date.parse(s.from); utcDay(t) <= s.to; t += DAY_MS) {
      const day = utcDay(t);
      const set = touched.get(day) ?? new Set<string>();
      set.add(quote);
      touched.set(day, set);
    }
  };
  for (const p of positions) note(p.symbol, positionSpan(p));
  for (const o of orders) note(o.symbol, span(o.created_at, o.updated_at));
  const ordersOf = new Map<string, BookedOrder[]>();
  for (const o of orders) {
    const list = ordersOf.get(o.decision_id) ?? [];
    list.push(o);
    ordersOf.set(o.decision_id, list);
  }

  const out: CurrencyDailyRow[] = [];
  for (const row of rows) {
    const touching = [...(touched.get(row.day) ?? [])].sort();
    if (touching.length === 0) {
      const only = [...everyCurrency].sort();
      out.push({ ...row, currency: only.length === 0 ? UNKNOWN_CURRENCY : only.join(UNSPLIT_JOIN) });
      continue;
    }
    const [single] = touching;
    if (touching.length === 1 && single !== undefined) {
      out.push({ ...row, currency: single });
      continue;
    }
    out.push(...splitDay(row, touching, positions, orders, ordersOf));
  }
  return out;
}

/** A day that currencies shared: see splitDailyPnl. */
function splitDay(row: UnsplitDailyRow, touching: readonly string[], positions: readonly PositionLife[], orders: readonly BookedOrder[], ordersOf: ReadonlyMap<string, readonly BookedOrder[]>): CurrencyDailyRow[] {
  const out: CurrencyDailyRow[] = [];
  const open: string[] = [];
  let realized = Decimal.parse(row.realized_pnl);
  let fees = Decimal.parse(row.fees);
  let trades = row.closed_trades;
  for (const currency of touching) {
    const part = containedPart(row.day, currency, positions, orders, ordersOf);
    if (!part) {
      open.push(currency);
      continue;
    }
    out.push({ day: row.day, currency, realized_pnl: part.realized.toString(), fees: part.fees.toString(), closed_trades: part.trades });
    realized = realized.sub(part.realized);
    fees = fees.sub(part.fees);
    trades -= part.trades;
  }
  if (realized.isZero() && fees.isZero() && trades === 0) return out;
  // One currency left: the rest of the row is all its own. None or several: kept whole, unsplit.
  const rest = open.length === 0 ? touching : open;
  out.push({ day: row.day, currency: rest.join(UNSPLIT_JOIN), realized_pnl: realized.toString(), fees: fees.toString(), closed_trades: trades });
  return out;
}

/** What `currency` booked on `day`, when all of it is positions opened and closed that day (see splitDailyPnl); undefined otherwise. */
function containedPart(day: string, currency: string, positions: readonly PositionLife[], orders: readonly BookedOrder[], ordersOf: ReadonlyMap<string, readonly BookedOrder[]>): Part | undefined {
  const mine = (symbol: string): boolean => market(symbol)?.quote === currency;
  const held = positions.filter((p) => mine(p.symbol) && within(day, positionSpan(p)));
  const sameDay = (p: PositionLife): boolean => p.status === 'closed' && p.closed_at !== null && utcDay(p.opened_at) === day && utcDay(p.closed_at) === day;
  if (held.length === 0 || !held.every(sameDay)) return undefined;
  const decisions = new Set(held.map((p) => p.decision_id));
  if (orders.some((o) => mine(o.symbol) && within(day, span(o.created_at, o.updated_at)) && !decisions.has(o.decision_id))) return undefined;
  for (const decision of decisions) {
    let qty = Decimal.ZERO;
    for (const o of (ordersOf.get(decision) ?? []).filter((order) => mine(order.symbol))) {
      const s = span(o.created_at, o.updated_at);
      if (s.from !== day || s.to !== day) return undefined;
      const filled = Decimal.parse(o.filled_qty);
      const fee = baseFee(o);
      // A buy whose base fee took all it filled booked a loss with no position: not in any position's figures.
      if (o.side === 'buy' && fee.isPositive() && !fee.lt(filled)) return undefined;
      qty = o.side === 'buy' ? qty.add(filled.sub(fee)) : qty.sub(filled.add(fee));
    }
    // Sold more than bought (a sell booked after its position closed) or less: fees outside the positions.
    if (!qty.isZero()) return undefined;
  }
  let realized = Decimal.ZERO;
  let fees = Decimal.ZERO;
  for (const p of held) {
    realized = realized.add(Decimal.parse(p.realized_pnl));
    fees = fees.add(Decimal.parse(p.fees_paid));
  }
  return { realized, fees, trades: held.length };
}
