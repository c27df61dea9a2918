import type { Config } from '../config/schema.js';
import { Decimal } from '../domain/decimal.js';
import type { TimeInForce } from '../domain/order-types.js';
import { BUY_GUARDS, guardLimits, type BuyGuard, type GuardLimits } from '../strategy/index.js';

/** What the engine needs from the config, parsed once (the hot path never reads config). */
export interface EngineSettings {
  readonly tradingEnabled: boolean;
  /** trading.quote_currency: the currency of the quote budget and of the daily loss limit, whose realized PnL alone it counts. */
  readonly quoteCurrency: string;
  readonly quoteBudget: Decimal;
  readonly tif: TimeInForce;
  readonly slippageBps: number;
  readonly maxRetries: number;
  readonly retryBackoffMs: number;
  readonly limits: GuardLimits;
  /** BUY_GUARDS in their fixed order, without daily_loss_limit when it is configured off (0). */
  readonly guards: readonly BuyGuard[];
  readonly exits: {
    /** Fractions of the entry price (1.5% -> 0.015); zero: the rule is off. */
    readonly takeProfit: Decimal;
    readonly stopLoss: Decimal;
    readonly trailingStop: Decimal;
    /** 0: off. */
    readonly maxHoldingMs: number;
  };
}

const HUNDRED = Decimal.from(100);

/**
 * `capitalAtStart`: the account's quote capital as the session starts (its quote balance plus what
 * its open positions cost), the daily loss limit's base. Absent, the configured starting balance,
 * which is what a new account holds; on an existing account that setting funds nothing, and a limit
 * taken from it blocked every buy (0) or allowed five times the loss (5000 on an account of 938).
 */
export function engineSettings(config: Config, capitalAtStart?: Decimal): EngineSettings {
  const { trading, execution, exits, strategy, market_data: data } = config;
  const lossLimit = (capitalAtStart ?? trading.starting_quote_balance).mul(trading.daily_loss_limit_pct).div(HUNDRED, 8);
  return {
    tradingEnabled: trading.global_trading,
    quoteCurrency: trading.quote_currency,
    quoteBudget: execution.quote_budget,
    tif: execution.tif,
    slippageBps: execution.slippage_bps,
    maxRetries: execution.max_retries,
    retryBackoffMs: execution.retry_backoff_ms,
    limits: guardLimits({
      maxOpenPositions: trading.max_open_positions,
      cooldownMs: trading.cooldown_after_exit,
      staleAfterMs: data.stale_after,
      dailyLossLimit: lossLimit,
      dailyLossCurrency: trading.quote_currency,
      maxAtrPercent: strategy.max_atr_pct > 0 ? strategy.max_atr_pct : Number.MAX_VALUE,
    }),
    guards: trading.daily_loss_limit_pct.isZero() ? BUY_GUARDS.filter((g) => g.name !== 'daily_loss_limit') : BUY_GUARDS,
    exits: {
      takeProfit: exits.take_profit_pct.div(HUNDRED, 12),
      stopLoss: exits.stop_loss_pct.div(HUNDRED, 12),
      trailingStop: exits.trailing_stop_pct.div(HUNDRED, 12),
      maxHoldingMs: exits.max_holding,
    },
  };
}
