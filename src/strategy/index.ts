/** The strategy layer's public surface: signals, the default strategy and the buy guards. */
export { DEFAULT_EMA_CROSS_RSI, EMA_CROSS_RSI, EmaCrossRsiStrategy, emaCrossRsiFactory, emaCrossRsiOptions, type EmaCrossRsiOptions } from './ema-cross-rsi.js';
export { BUY_GUARDS, evaluateBuyGuards } from './guards/buy-guards.js';
export { DEFAULT_GUARD_LIMITS, guardLimits } from './guards/guard-limits.js';
export { GUARD_NAMES, type BuyFunds, type BuyGuard, type GuardLimits, type GuardName, type GuardResult, type GuardSnapshot, type GuardValue } from './guards/guard.js';
export { AtrIndicator } from './indicators/atr-indicator.js';
export { EmaIndicator } from './indicators/ema-indicator.js';
export { RsiIndicator } from './indicators/rsi-indicator.js';
export { NO_SIGNAL_REASONS, SIGNAL_NAMES, type BuySignal, type IndicatorValues, type NoSignal, type NoSignalReason, type Signal, type SignalName } from './signal.js';
export { StrategyOptionsError } from './strategy-options-error.js';
export type { Strategy, StrategyFactory } from './strategy.js';
