import { EMA } from 'trading-signals';
import { checkPeriod } from './check-period.js';

/**
 * Exponential moving average of closes (trading-signals' EMA). Null until `period` closes have been
 * seen: an EMA seeded on fewer is mostly its seed. Indicators are analytics on floats, never money.
 */
export class EmaIndicator {
  private readonly ema: EMA;
  private seen = 0;
  private current: number | null = null;

  constructor(readonly period: number) {
    checkPeriod('ema', period);
    this.ema = new EMA(period);
  }

  update(close: number): number | null {
    const value = this.ema.add(close);
    this.seen++;
    this.current = this.seen >= this.period ? value : null;
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }
}
