import { z } from 'zod';
import { key } from '../keys.js';

/** How the order router turns a buy into order attempts. */
export const executionSection = z
  .object({
    quote_budget: key.decimal('50', { min: '0.00000001' }, 'quote currency spent per buy'),
    tif: key.oneOf(['IOC', 'FOK', 'GTC'], 'IOC', 'time in force of each order, except the sells of stop_loss, trailing_stop and max_holding_time: those are always IOC (what a bar cannot fill expires and the next bar sells the rest), as a resting stop would not stop the loss; a GTC take-profit sell rests, and is canceled when one of those rules fires'),
    slippage_bps: key.number(20, { min: 0, max: 1_000 }, 'limit price above the reference price, in basis points'),
    max_retries: key.int(3, { min: 0, max: 20 }, 'retries after the first attempt for retryable failures'),
    retry_backoff_ms: key.int(400, { min: 0, max: 60_000 }, 'base backoff between attempts: each wait is random up to this x 2^(retry-1), at most 30 s, in market time (at --speed N it takes 1/N of it)'),
    order_timeout: key.duration('5s', { min: '100ms', max: '5m' }, 'how long one attempt may wait for the exchange (the paper exchange times out a slower call, as a real client would)'),
  })
  .strict();
