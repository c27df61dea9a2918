import { ATR } from 'trading-signals';
import { checkPeriod } from './check-period.js';

/**
 * Average true range (trading-signals' ATR), and the same as a percentage of the close, the
 * volatility filter's measure: comparable across a 40,000 and a 0.0016 market.
 */
export class AtrIndicator {
  private readonly atr: ATR;
  private current: number | null = null;
  private percent: number | null = null;

  constructor(readonly period: number) {
    checkPeriod('atr', period);
    this.atr = new ATR(period);
  }

  update(high: number, low: number, close: number): number | null {
    this.current = this.atr.add({ high, low, close });
    this.percent = this.current === null || close <= 0 ? null : (this.current / close) * 100;
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }

  /** ATR as % of the latest close; null while warming up. */
  get percentOfPrice(): number | null {
    return this.percent;
  }
}
