import { RSI } from 'trading-signals';
import { checkPeriod } from './check-period.js';
import { SteadyWsma } from './steady-wsma.js';

/** Relative strength index of closes, 0..100 (trading-signals' RSI, Wilder smoothing); null while warming up. */
export class RsiIndicator {
  private readonly rsi: RSI;
  private current: number | null = null;

  constructor(readonly period: number) {
    checkPeriod('rsi', period);
    this.rsi = new RSI(period, SteadyWsma);
  }

  update(close: number): number | null {
    this.current = this.rsi.add(close);
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }
}
