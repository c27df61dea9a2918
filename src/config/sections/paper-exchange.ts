import { z } from 'zod';
import { key } from '../keys.js';

const rate = (kind: string) => key.number(0, { min: 0, max: 1 }, `probability that an order attempt fails with ${kind} (fault injection)`);

/** The simulated exchange of paper sessions: fees, latency and injected faults. */
export const paperExchangeSection = z
  .object({
    maker_fee_bps: key.number(10, { min: 0, max: 1_000 }, 'fee on maker fills, in basis points'),
    taker_fee_bps: key.number(10, { min: 0, max: 1_000 }, 'fee on taker fills, in basis points'),
    latency_ms: key.int(50, { min: 0, max: 60_000 }, 'simulated round trip of each request (drawn from half to 1.5 times this); one past execution.order_timeout times out'),
    fault_timeout: rate('a timeout'),
    fault_reject: rate('a rejection'),
    fault_rate_limit: rate('a rate limit'),
    fault_network: rate('a network error'),
    seed: key.int(42, { min: 0, max: 2 ** 31 - 1 }, 'seed of the fault injection and synthetic feed, for reproducible runs'),
  })
  .strict();
