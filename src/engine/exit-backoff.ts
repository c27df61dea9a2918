import type { OrderFailureReason } from '../recorder/events/order-events.js';

/** Refusals a retry on the next bar will not change: the books and the exchange disagree, or the order is wrong. */
const PERSISTENT: ReadonlySet<OrderFailureReason> = new Set(['insufficient_balance', 'rejected', 'invalid_order', 'min_qty']);
const MAX_WAIT_BARS = 64;

interface Failures {
  readonly positionId: number;
  count: number;
  retryAt: number;
}

/**
 * Spacing of exit sells that keep failing for a reason the next bar will not change. Retried on
 * every bar, a position the exchange no longer holds (sold by hand, or by an order the bot lost
 * track of) sent a failing sell each minute: 44,176 intents and 86 MB of log in one replay. After
 * the second such failure in a row the sell waits 2, 4, 8... bars, at most 64, until one succeeds
 * or fails for another reason. Transient failures (a timeout, a price beyond the limit) still
 * retry on the next bar: a stop loss must not wait.
 */
export class ExitBackoff {
  private readonly bySymbol = new Map<string, Failures>();

  /** The bar open time before which the exit of this position waits, if it does. */
  heldUntil(symbol: string, positionId: number): number | undefined {
    const known = this.bySymbol.get(symbol);
    return known?.positionId === positionId && known.count >= 2 ? known.retryAt : undefined;
  }

  /**
   * Counts a failed exit sell. Returns how many bars the next try waits when it now waits (the
   * second persistent failure in a row and after), undefined when the next bar may try again.
   */
  failed(symbol: string, positionId: number, reason: OrderFailureReason, barOpen: number, intervalMs: number): { count: number; waitBars: number } | undefined {
    if (!PERSISTENT.has(reason)) {
      this.bySymbol.delete(symbol);
      return undefined;
    }
    let known = this.bySymbol.get(symbol);
    if (known?.positionId !== positionId) {
      known = { positionId, count: 0, retryAt: barOpen };
      this.bySymbol.set(symbol, known);
    }
    known.count++;
    if (known.count < 2) return undefined;
    const waitBars = Math.min(MAX_WAIT_BARS, 2 ** (known.count - 1));
    known.retryAt = barOpen + waitBars * intervalMs;
    return { count: known.count, waitBars };
  }

  succeeded(symbol: string): void {
    this.bySymbol.delete(symbol);
  }
}
