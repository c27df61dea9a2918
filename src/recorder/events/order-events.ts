import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

/** Why an order intent failed; machine-readable so failures group by cause. */
export const ORDER_FAILURE_REASONS = [
  'min_notional',
  'min_qty',
  'insufficient_balance',
  'slippage',
  'no_liquidity',
  'rejected',
  'invalid_order',
  'timeout_exhausted',
  'rate_limited',
  'network',
  'exchange_unavailable',
  'not_filled',
  'recorder_unavailable',
  'unknown',
] as const;
export type OrderFailureReason = (typeof ORDER_FAILURE_REASONS)[number];

export const EXIT_RULES = ['take_profit', 'stop_loss', 'trailing_stop', 'max_holding_time', 'shutdown'] as const;
export type ExitRule = (typeof EXIT_RULES)[number];
/** Who held an exit's sell back (EXIT_BLOCKED refused_by). */
export const EXIT_REFUSALS = ['pre_check', 'router', 'unsettled_order'] as const;
export type ExitRefusal = (typeof EXIT_REFUSALS)[number];

const symbol = field.id('market symbol, e.g. BTC/USDT');
const side = field.oneOf(['buy', 'sell'], 'order side');
const tif = field.oneOf(['IOC', 'FOK', 'GTC'], 'time in force');
const attempt = field.int('attempt number, from 1');
const clientOrderId = field.id('client order id sent to the exchange (derived from intent and attempt)');

/** The order router's lines: one ORDER_CONTEXT per attempt, written before the order is sent. */
export const orderEvents = {
  ORDER_CONTEXT: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: 'Every execution constraint of one order attempt, on disk before the order is sent.',
    requires: 'intent',
    fields: {
      symbol,
      side,
      qty: field.decimal('base quantity of this attempt'),
      limit_px: field.decimal('limit price of this attempt'),
      quote_budget: field.decimal('quote currency allotted to the intent'),
      notional: field.decimal('qty x limit_px'),
      tif,
      slippage_bps: field.number('allowed slippage from the reference price, in basis points'),
      min_notional: field.decimal("the market's minimum order value"),
      max_retries: field.int('retries allowed after the first attempt'),
      retry_backoff_ms: field.int('base backoff between attempts'),
      attempt,
      attempt_start_ts: field.number('attempt start, Unix seconds with milliseconds'),
      client_order_id: clientOrderId,
      reference_px: field.decimal('the price the limit was derived from (slippage_bps away from it)').optional(),
    },
  }),
  ORDER_SUBMITTED: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: 'The exchange accepted the order.',
    requires: 'intent',
    fields: {
      symbol,
      side,
      attempt,
      client_order_id: clientOrderId,
      exchange_order_id: field.id("the exchange's order id"),
      status: field.id("the order's state as the exchange reported it"),
    },
  }),
  ORDER_RETRY: defineEvent({
    channel: 'orders',
    level: 'warn',
    meaning: 'An attempt failed in a way a retry can fix; says why and how long the router waits.',
    requires: 'intent',
    fields: {
      symbol,
      attempt,
      next_attempt: field.int('the attempt that follows; the same attempt when reason is order_state_unknown (its order is looked up again, nothing is resent)'),
      reason: field.id('machine-readable cause, e.g. timeout, rate_limited, network'),
      message: field.text("the exchange's or the network's message, credentials stripped"),
      backoff_ms: field.int('wait before the next attempt, in market time: random up to retry_backoff_ms x 2^(retry-1), at most 30 s, and never under an exchange Retry-After; at --speed N it takes backoff_ms/N of wall time, none at --speed max, so the next line\'s ts (wall time) comes sooner'),
    },
  }),
  ORDER_FILLED: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: 'The order filled, wholly or partly: its totals so far, as the exchange reports them. An order that fills over several look-ups (a resting GTC) gets one line per look-up that found a new fill, each with the totals up to it.',
    requires: 'intent',
    fields: {
      symbol,
      side,
      attempt,
      client_order_id: clientOrderId,
      exchange_order_id: field.id("the exchange's order id"),
      filled_qty: field.decimal('base quantity filled so far, over the whole order'),
      avg_px: field.decimal('average price of all the order\'s fills so far'),
      fee: field.decimal('fee paid so far on the order'),
      fee_currency: field.id('currency of the fee'),
      partial: field.bool('true when less than the requested quantity filled'),
    },
  }),
  ORDER_FAILED: defineEvent({
    channel: 'orders',
    level: 'error',
    meaning: 'The intent failed for good; reason is a machine-readable code.',
    requires: 'intent',
    fields: {
      symbol,
      side,
      reason: field.oneOf(ORDER_FAILURE_REASONS, 'machine-readable cause'),
      message: field.text("what happened, with the exchange's message, credentials stripped"),
      attempt,
      client_order_id: clientOrderId.optional(),
    },
  }),
  ORDER_CANCELED: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: 'The order was canceled (by the router, the exchange, or time in force).',
    requires: 'intent',
    fields: {
      symbol,
      side,
      attempt,
      client_order_id: clientOrderId,
      reason: field.id('why it was canceled, e.g. ioc_expired, shutdown'),
      filled_qty: field.decimal('quantity filled before the cancel'),
    },
  }),
  EXIT_TRIGGERED: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: "An exit rule fired for an open position; carries the decision_id that opened it, and the intent_id of the sell it begins (as BUY_ORDER does for a buy), so a sell cut before its first ORDER_CONTEXT is an intent a restart closes. An exit that first cancels the bot's own resting buy names no intent: its sell may not follow.",
    requires: 'decision',
    fields: {
      symbol,
      rule: field.oneOf(EXIT_RULES, 'the exit rule that fired'),
      bar_ts: field.id('open time of the bar whose close fired it (ISO 8601 UTC); absent in lines written before it was recorded').optional(),
      entry_px: field.decimal('average entry price of the position'),
      trigger_px: field.decimal('the price level that fired the rule'),
      price: field.decimal('the market price that crossed it'),
      qty: field.decimal('position quantity to sell'),
    },
  }),
  EXIT_BLOCKED: defineEvent({
    channel: 'orders',
    level: 'warn',
    meaning: "An exit rule fired but no sell is sent: it is below the market's minimum order value, or an earlier order on the symbol is not settled yet; the position is held until that changes (logged once per spell).",
    requires: 'decision',
    fields: {
      symbol,
      rule: field.oneOf(EXIT_RULES, 'the exit rule that fired'),
      bar_ts: field.id('open time of the bar whose close fired it (ISO 8601 UTC); absent in lines written before it was recorded').optional(),
      trigger_px: field.decimal('the price level that fired the rule'),
      price: field.decimal('the market price (bar close) the sell is priced from'),
      qty: field.decimal('base quantity the sell would carry (the position, on the lot)'),
      limit_px: field.decimal('limit price of the sell (slippage_bps below price, on the tick)'),
      notional: field.decimal('order value of the sell: qty x limit_px'),
      min_notional: field.decimal("the market's minimum order value"),
      refused_by: field.oneOf(EXIT_REFUSALS, 'pre_check: below the minimum, the exit handler did not send it; router: the router or the exchange refused it; unsettled_order: an earlier order on the symbol may still fill, so no second sell is sent'),
      message: field.text('the block in plain words'),
    },
  }),
  SELL_FILLED: defineEvent({
    channel: 'orders',
    level: 'info',
    meaning: "The position's exit sold; realized PnL, with the decision_id from the position's data. One line per fill found: a sell that fills over several look-ups (a resting GTC) writes one per increment, with that increment's qty, price, fee and PnL, so the lines add up to the order.",
    requires: 'decision',
    fields: {
      symbol,
      rule: field.oneOf(EXIT_RULES, 'the exit rule that sold'),
      qty: field.decimal('base quantity this fill sold'),
      avg_px: field.decimal('average price of this fill'),
      entry_px: field.decimal('average entry price'),
      fee: field.decimal('fee paid on this fill'),
      realized_pnl: field.decimal('profit or loss of this fill in quote currency, fees included'),
      holding_s: field.number('seconds from the position\'s opening to this fill at the exchange'),
    },
  }),
};
