import { z } from 'zod';
import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

/** What reconciliation did with one order the store still held open when the session started. */
export const RECONCILE_OUTCOMES = ['booked_fill', 'still_open', 'canceled', 'unknown', 'not_found'] as const;
export type ReconcileOutcome = (typeof RECONCILE_OUTCOMES)[number];

export const recoveredPositionSchema = z.object({
  symbol: z.string().describe('market symbol'),
  qty: z.string().describe('base quantity held (exact decimal text)'),
  entry_px: z.string().describe('average entry price (exact decimal text)'),
  decision_id: z.string().describe('the decision that opened the position; its exit carries it'),
  opened_at: z.string().describe('when the position opened (ISO 8601 UTC)'),
});

export const recoveredOrderSchema = z.object({
  client_order_id: z.string().describe('client order id sent (or about to be sent) to the exchange'),
  intent_id: z.string().describe('the order intent'),
  decision_id: z.string().describe('the decision the order belongs to'),
  symbol: z.string().describe('market symbol'),
  side: z.enum(['buy', 'sell']).describe('order side'),
  status: z.string().describe('status the store last recorded'),
});

const symbol = field.id('market symbol, e.g. BTC/USDT');
const asset = field.id('asset, e.g. ETH');

/** Days of several currencies' realized PnL that could not be split, added up per set of currencies. */
export const unsplitPnlSchema = z.object({
  currencies: z.array(z.string()).describe('the quote currencies added together in these days, sorted; empty when the database names none'),
  days: z.number().int().describe('how many days'),
  first_day: z.string().describe('the first of them (YYYY-MM-DD, UTC)'),
  last_day: z.string().describe('the last of them (YYYY-MM-DD, UTC)'),
  realized_pnl: z.string().describe('their realized profit or loss, all currencies together (exact decimal text)'),
  fees: z.string().describe('their fees, all currencies together (exact decimal text)'),
});

/** Restart recovery: what the persisted state held, and how each open order was settled. */
export const stateEvents = {
  STATE_RECOVERED: defineEvent({
    channel: 'audit',
    level: 'info',
    meaning: 'The state database was opened: positions, open orders and balances this session starts from.',
    requires: 'none',
    fields: {
      path: field.id('the state database file'),
      schema_version: field.int('schema version of the database after migrations'),
      created: field.bool('true when the database did not exist and was created empty'),
      positions: field.json(z.array(recoveredPositionSchema), 'open positions, each with the decision_id that opened it'),
      open_orders: field.json(z.array(recoveredOrderSchema), 'orders not yet settled; reconciled before trading'),
      balances: field.json(z.record(z.string(), z.string()), 'balance per asset (exact decimal text)'),
      realized_pnl: field.json(
        z.union([z.string(), z.number()]),
        "realized profit or loss over the life of the database in the session's quote currency (exact decimal text; a JSON number in lines written before PnL was kept per currency); present only when the database holds realized PnL in no other currency and no unsplit days: see realized_pnl_by_currency",
      ).optional(),
      realized_pnl_by_currency: field.json(z.record(z.string(), z.string()), 'realized profit or loss over the life of the database per quote currency (exact decimal text); never added across currencies, unsplit days not included').optional(),
      realized_pnl_unsplit: field.json(z.array(unsplitPnlSchema), 'days booked before realized PnL was kept per currency that two or more currencies shared (or whose currency the database does not name), kept whole and in no currency above: per set of currencies, how many days, the first and last, and their realized PnL and fees (exact decimal text) added up; absent when there are none').optional(),
    },
  }),
  ORDER_RECONCILED: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: 'An order left open by a previous session was checked with the exchange by client order id, at the restart, or later by that session\'s order watcher for one the restart left unknown (outcome not_found); a fill it books is on this line (no ORDER_FILLED or BUY_FILLED is written for it; an exit sell also gets a SELL_FILLED).',
    requires: 'intent',
    fields: {
      symbol,
      side: field.oneOf(['buy', 'sell'], 'order side'),
      client_order_id: field.id('the client order id looked up; never sent again'),
      outcome: field.oneOf(RECONCILE_OUTCOMES, 'booked_fill, still_open, canceled, unknown or not_found'),
      previous_status: field.id('status the store held before reconciliation'),
      status: field.id('status the store holds now'),
      exchange_status: field.id("the order's state at the exchange (absent when not found or not reachable)").optional(),
      filled_qty: field.decimal('quantity the exchange reports filled'),
      avg_px: field.decimal('average fill price the exchange reports (absent while nothing filled); with filled_qty and fee, the order\'s cumulative fill as ORDER_FILLED gives one').optional(),
      fee: field.decimal('fee the exchange reports for the whole order, in fee_currency (absent while nothing filled)').optional(),
      fee_currency: field.id('currency of the fee (absent while nothing filled)').optional(),
      booked_qty: field.decimal('quantity newly booked into positions and balances by this reconciliation'),
      booked_notional: field.decimal('quote value of booked_qty at its fill prices (present when booked_qty > 0)').optional(),
      booked_fee: field.decimal('fee newly booked with it, in fee_currency (present when booked_qty > 0)').optional(),
      realized_pnl: field.decimal('profit or loss the booked fill realized, quote currency, fees included: the restart session\'s, as its summary counts it; 0 for a buy (present when booked_qty > 0). An exit sell also gets a SELL_FILLED with it').optional(),
      filled_at: field.id('when the exchange filled what was booked (its latest change of the order, ISO 8601 UTC): the time the books date it at, not the restart\'s (present when booked_qty > 0)').optional(),
      details: field.text('what was found and done, in words'),
    },
  }),
  RECONCILE_COMPLETE: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: 'Every open order was reconciled; counts by outcome and whether trading may start.',
    requires: 'none',
    fields: {
      checked: field.int('orders looked up'),
      outcomes: field.json(z.record(z.string(), z.number()), 'count per outcome'),
      unresolved: field.json(z.array(z.string()), 'client order ids still unknown after reconciliation'),
      duration_ms: field.number('time reconciliation took'),
    },
  }),
  DUST_FOUND: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: "A balance too small to sell: its value is below the market's minimum order value.",
    requires: 'none',
    fields: {
      asset,
      symbol,
      amount: field.decimal('free amount of the asset (not held by an open position)'),
      price: field.decimal('last price used to value it'),
      notional: field.decimal('amount x price, quote currency'),
      min_notional: field.decimal("the market's minimum order value"),
      action: field.oneOf(['log_only', 'sweep'], 'whether the sweeper is configured to sweep it'),
    },
  }),
  DUST_SWEPT: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: 'A dust balance was swept by the configured sweep function.',
    requires: 'none',
    fields: {
      asset,
      symbol,
      amount: field.decimal('amount swept'),
      notional: field.decimal('its value, quote currency'),
      min_notional: field.decimal("the market's minimum order value"),
      details: field.text('what the sweep function reported'),
    },
  }),
  DUST_SWEEP_FAILED: defineEvent({
    channel: 'system',
    level: 'warn',
    meaning: 'Sweeping a dust balance failed; it stays and is retried on a later pass.',
    requires: 'none',
    fields: {
      asset,
      symbol,
      amount: field.decimal('amount that was to be swept'),
      message: field.text('why the sweep failed'),
    },
  }),
};
