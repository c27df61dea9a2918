import { WSMA } from 'trading-signals';

/**
 * trading-signals' WSMA (Wilder's smoothing, the RSI's average gain and loss), minus one cost: the
 * library keeps feeding the SMA that seeds it on every update, a shift and a sum over the whole
 * window, long after the seed is taken and never read again. Once seeded, this applies the same
 * formula in the same order of operations, so every value is bit for bit the library's.
 */
export class SteadyWsma extends WSMA {
  private readonly factor: number;

  constructor(interval: number) {
    super(interval);
    this.factor = 1 / interval;
  }

  override update(price: number, replace: boolean): number | null {
    const previous = this.result;
    if (replace || previous === undefined) return super.update(price, replace);
    return this.setResult((price - previous) * this.factor + previous, false);
  }
}
