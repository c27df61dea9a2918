import { z } from 'zod';
import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

export const DECISION_OUTCOMES = ['blocked', 'no_signal', 'filled', 'failed', 'error'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

const symbol = field.id('market symbol, e.g. BTC/USDT');

/** The buy decision's chain: one DECISION_START and one DECISION_END per decision_id. */
export const decisionEvents = {
  DECISION_START: defineEvent({
    channel: 'decisions',
    level: 'info',
    meaning: 'A buy decision begins for one symbol and bar; its decision_id tags every later line of the chain.',
    requires: 'decision',
    fields: {
      symbol,
      bar_ts: field.id('open time of the bar being decided on (ISO 8601 UTC)'),
      price: field.decimal('reference price (the bar close)'),
      strategy: field.id('name of the strategy evaluating the signal'),
    },
  }),
  BUY_BLOCKED: defineEvent({
    channel: 'decisions',
    level: 'info',
    meaning: 'A guard refused to buy; names the guard with the observed value against its threshold.',
    requires: 'decision',
    fields: {
      symbol,
      guard: field.id('name of the guard that failed, e.g. max_open_positions'),
      observed: field.json(z.union([z.number(), z.string(), z.boolean(), z.null()]), 'value the guard observed'),
      threshold: field.json(z.union([z.number(), z.string(), z.boolean(), z.null()]), 'limit the observed value was held to'),
      message: field.text('the refusal in plain words'),
    },
  }),
  BUY_TRIGGERED: defineEvent({
    channel: 'decisions',
    level: 'info',
    meaning: 'The strategy signalled a buy; carries the indicator values that triggered it.',
    requires: 'decision',
    fields: {
      symbol,
      signal: field.id('name of the signal, e.g. ema_cross_up'),
      price: field.decimal('reference price at the signal'),
      indicators: field.json(z.record(z.string(), z.number()), 'indicator values at the signal'),
    },
  }),
  BUY_CANDIDATE: defineEvent({
    channel: 'decisions',
    level: 'info',
    meaning: 'The buy is sized: budget, quantity and limit price after market rules.',
    requires: 'decision',
    fields: {
      symbol,
      quote_budget: field.decimal('quote currency allotted to this buy'),
      qty: field.decimal('base quantity after lot-size rounding'),
      limit_px: field.decimal('limit price after slippage and tick rounding'),
      ref_px: field.decimal('reference price the limit derives from'),
      notional: field.decimal('qty x limit_px'),
    },
  }),
  BUY_ORDER: defineEvent({
    channel: 'decisions',
    level: 'info',
    meaning: 'The buy is handed to the order router as an intent (intent_id).',
    requires: 'decision_and_intent',
    fields: {
      symbol,
      side: field.oneOf(['buy', 'sell'], 'order side'),
      qty: field.decimal('base quantity requested'),
      limit_px: field.decimal('limit price'),
      quote_budget: field.decimal('quote currency allotted'),
      tif: field.oneOf(['IOC', 'FOK', 'GTC'], 'time in force'),
    },
  }),
  BUY_FILLED: defineEvent({
    channel: 'decisions',
    level: 'info',
    meaning: 'The buy filled and a position is open. One line per fill found: a buy that fills over several look-ups (a resting GTC, a fill found after a timeout) writes one per increment, with that increment\'s qty, price and fee, so the lines add up to the order.',
    requires: 'decision_and_intent',
    fields: {
      symbol,
      qty: field.decimal('base quantity this fill bought'),
      avg_px: field.decimal('average price of this fill'),
      fee: field.decimal('fee paid on this fill, in fee_currency'),
      fee_currency: field.id('currency of the fee'),
      notional: field.decimal('qty x avg_px'),
      partial: field.bool('true while the order as a whole has filled less than its requested quantity'),
    },
  }),
  DECISION_ERROR: defineEvent({
    channel: 'decisions',
    level: 'error',
    meaning: 'An error in signal evaluation or execution ended the decision.',
    requires: 'decision',
    fields: {
      symbol,
      stage: field.oneOf(['guards', 'signal', 'sizing', 'execution'], 'where in the decision the error happened'),
      error_code: field.id('machine-readable error code'),
      message: field.text('the error message'),
      stack: field.text('stack trace, when there is one').optional(),
    },
  }),
  DECISION_END: defineEvent({
    channel: 'decisions',
    level: 'info',
    meaning: 'The decision is over: exactly one per decision_id, with its outcome.',
    requires: 'decision',
    fields: {
      symbol,
      outcome: field.oneOf(DECISION_OUTCOMES, 'blocked / no_signal / filled / failed / error'),
      duration_ms: field.number('time from DECISION_START to this line'),
      reason: field.text('what ended it, in plain words').optional(),
    },
  }),
};
