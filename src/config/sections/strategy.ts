import { z } from 'zod';
import { key } from '../keys.js';

/** The buy signal: EMA crossover confirmed by RSI, filtered by volatility (ATR). */
export const strategySection = z
  .object({
    name: key.oneOf(['ema_rsi'], 'ema_rsi', 'strategy that evaluates the buy signal'),
    ema_fast: key.int(9, { min: 2, max: 500 }, 'fast EMA period in bars'),
    ema_slow: key.int(21, { min: 3, max: 1000 }, 'slow EMA period in bars (must exceed ema_fast)'),
    rsi_period: key.int(14, { min: 2, max: 200 }, 'RSI period in bars'),
    rsi_max: key.number(70, { min: 1, max: 100 }, 'no buy while RSI is above this (overbought)'),
    max_atr_pct: key.number(3, { min: 0, max: 100 }, 'volatility filter: no buy while ATR is above this % of price'),
    atr_period: key.int(14, { min: 2, max: 200 }, 'ATR period in bars'),
  })
  .strict()
  .superRefine((section, ctx) => {
    if (section.ema_fast >= section.ema_slow) {
      ctx.addIssue({
        code: 'custom',
        path: ['ema_fast'],
        message: `ema_fast (${section.ema_fast}) must be less than ema_slow (${section.ema_slow})`,
        input: section.ema_fast,
      });
    }
  });
