import { seededRandom, type SeededRandom } from '../../domain/seeded-random.js';
import { exchangeError, type ExchangeError } from '../exchange-error.js';

/**
 * The faults a real exchange connection shows:
 * - `timeout_lost`: the request died on the way; the order never reached the exchange.
 * - `timeout_reached`: the exchange processed the request but the answer was lost.
 *   The caller cannot tell these two apart: both report `mayHaveReached: true`.
 * - `connect_timeout`: no connection within the deadline; nothing was sent (`mayHaveReached: false`).
 * - `rejected`, `rate_limited`, `network`, `unavailable`: the exchange's or the network's refusals.
 */
export const FAULT_KINDS = [
  'timeout_lost',
  'timeout_reached',
  'connect_timeout',
  'rejected',
  'rate_limited',
  'network',
  'unavailable',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_OPERATIONS = ['markets', 'balances', 'placeOrder', 'fetchOrderByClientId', 'cancelOrder'] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

export interface FaultOptions {
  /** Seeds the draws; the same seed and the same calls give the same faults. */
  readonly seed?: number;
  /** Probability per call of each kind (checked in FAULT_KINDS order; their sum should stay <= 1). */
  readonly rates?: Partial<Record<FaultKind, number>>;
  /** Which operations the random rates apply to (default: placeOrder only). */
  readonly operations?: readonly FaultOperation[];
  /** Exact faults per operation, consumed one per call before any random draw; `none` lets a call through. */
  readonly script?: Partial<Record<FaultOperation, readonly (FaultKind | 'none')[]>>;
  /** Added delay per call, drawn uniformly from [min, max] ms. */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** How long a rate-limited caller is told to wait (default 1000). */
  readonly retryAfterMs?: number;
  /**
   * The caller's deadline per request (the bot's `execution.order_timeout`; default 10000): a call
   * whose latency runs past it times out, and timeouts name it, as a real client's would.
   */
  readonly requestTimeoutMs?: number;
}

/** When a fault strikes relative to the exchange doing the work. */
export type FaultPlan =
  | { readonly when: 'none' }
  | { readonly when: 'before'; readonly error: ExchangeError }
  | { readonly when: 'after'; readonly error: ExchangeError };

/** Decides, seeded, which fault (if any) each exchange call suffers. */
export class FaultInjector {
  private readonly random: SeededRandom;
  private readonly script: Map<FaultOperation, (FaultKind | 'none')[]>;
  private readonly operations: ReadonlySet<FaultOperation>;
  readonly injected: { operation: FaultOperation; kind: FaultKind }[] = [];

  constructor(
    private readonly options: FaultOptions = {},
    /** Echoed in messages as real exchanges echo request URLs, to prove the router strips them. */
    private readonly apiKey = 'paper-api-key-3f9a7c',
  ) {
    this.random = seededRandom(options.seed ?? 1);
    this.script = new Map(Object.entries(options.script ?? {}).map(([op, kinds]) => [op as FaultOperation, [...kinds]]));
    this.operations = new Set(options.operations ?? ['placeOrder']);
    for (const [kind, rate] of Object.entries(options.rates ?? {})) {
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate ${kind}=${rate}: expected a probability in [0, 1]`);
    }
  }

  get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10_000;
  }

  latency(): number {
    const range = this.options.latencyMs;
    if (!range) return 0;
    if (!(range.min >= 0 && range.max >= range.min)) {
      throw new RangeError(`latencyMs {min: ${range.min}, max: ${range.max}}: expected 0 <= min <= max`);
    }
    return range.min + this.random.int(range.max - range.min + 1);
  }

  /**
   * The fault a call suffers, if any. A call slower than the deadline (`latencyMs` past
   * `requestTimeoutMs`) times out after the exchange did the work: the answer came too late.
   */
  plan(operation: FaultOperation, latencyMs = 0): FaultPlan {
    const kind = latencyMs > this.requestTimeoutMs ? 'timeout_reached' : this.draw(operation);
    if (!kind) return { when: 'none' };
    this.injected.push({ operation, kind });
    const echo = `(request ${operation}?apiKey=${this.apiKey}&signature=9c1f2e7d5a0b44e1)`;
    const timedOut = `request timed out after ${this.requestTimeoutMs}ms ${echo}`;
    switch (kind) {
      case 'timeout_lost':
        return { when: 'before', error: exchangeError.timeout(timedOut, true) };
      case 'timeout_reached':
        return { when: 'after', error: exchangeError.timeout(timedOut, true) };
      case 'connect_timeout':
        return { when: 'before', error: exchangeError.timeout(`connect timed out after 3000ms ${echo}`, false) };
      case 'rejected':
        return { when: 'before', error: exchangeError.rejected(`order rejected by risk engine ${echo}`) };
      case 'rate_limited':
        return {
          when: 'before',
          error: exchangeError.rateLimited(`429 too many requests ${echo}`, this.options.retryAfterMs ?? 1000),
        };
      case 'network':
        return { when: 'before', error: exchangeError.network(`connect ECONNREFUSED ${echo}`) };
      case 'unavailable':
        return { when: 'before', error: exchangeError.unavailable(`503 service unavailable ${echo}`) };
    }
  }

  private draw(operation: FaultOperation): FaultKind | null {
    const scripted = this.script.get(operation)?.shift();
    if (scripted !== undefined) return scripted === 'none' ? null : scripted;
    if (!this.operations.has(operation)) return null;
    // One draw per call, walked through the kinds' cumulative rates, so rates combine predictably.
    const roll = this.random.next();
    let cumulative = 0;
    for (const kind of FAULT_KINDS) {
      cumulative += this.options.rates?.[kind] ?? 0;
      if (roll < cumulative) return kind;
    }
    return null;
  }
}
