import { z } from 'zod';
import { key } from '../keys.js';

/** How the order router turns a buy into order attempts. */
export const executionSection = z
  .object({
    quote_budget: key.decimal('50', { min: '0.00000001' }, 'quote currency spent per buy'),
    tif: key.oneOf(['IOC', 'FOK', 'GTC'], 'IOC', 'time in force of each order'),
    slippage_bps: key.number(20, { min: 0, max: 1_000 }, 'limit price above the reference price, in basis points'),
    max_retries: key.int(3, { min: 0, max: 20 }, 'retries after the first attempt for retryable failures'),
    retry_backoff_ms: key.int(400, { min: 0, max: 60_000 }, 'base backoff between attempts (doubles per retry)'),
    order_timeout: key.duration('5s', { min: '100ms', max: '5m' }, 'how long one attempt may wait for the exchange (the paper exchange times out a slower call, as a real client would)'),
  })
  .strict();
