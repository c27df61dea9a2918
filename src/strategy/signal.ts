import type { Decimal } from '../domain/decimal.js';

/** Names of the buy signals strategies raise (BUY_TRIGGERED's `signal`). */
export const SIGNAL_NAMES = ['ema_cross_up'] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

/** Why a bar gave no buy: still warming up, no crossing, or a filter said no. */
export const NO_SIGNAL_REASONS = ['warming_up', 'no_cross', 'rsi_too_high'] as const;
export type NoSignalReason = (typeof NO_SIGNAL_REASONS)[number];

/** Indicator values by name, as BUY_TRIGGERED logs them (floats: analytics, not money). */
export type IndicatorValues = Readonly<Record<string, number>>;

export interface BuySignal {
  readonly kind: 'buy';
  readonly signal: SignalName;
  /** The bar close the signal was read on: the reference price for sizing. */
  readonly price: Decimal;
  readonly indicators: IndicatorValues;
}

export interface NoSignal {
  readonly kind: 'none';
  readonly reason: NoSignalReason;
  /** The reason in plain words, with the numbers behind it. */
  readonly message: string;
  /** The indicators known so far (empty early in the warm-up). */
  readonly indicators: IndicatorValues;
}

export type Signal = BuySignal | NoSignal;
