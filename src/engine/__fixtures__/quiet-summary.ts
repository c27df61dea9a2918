import { Decimal } from '../../domain/decimal.js';
import type { PaperSummary } from '../session-summary.js';

/**
 * The summary of a session of 10 bars whose `decisions` all found no signal and traded nothing,
 * ended by duration in USDT: a test of the summary's wording sets what it is about in `fields`.
 */
export function quietSummary(decisions: number, fields: Partial<PaperSummary> = {}): PaperSummary {
  const zero = Decimal.from(0);
  return {
    record: {
      bars: 10, warmup_bars: 0, decisions, outcomes: decisions > 0 ? { no_signal: decisions } : {}, blocked_by: {},
      intents: 0, buys_filled: 0, sells_filled: 0, filled_late: { buys: 0, failed_orders: 0 }, failures: {},
      exits_blocked: 0, exits_blocked_by: {}, open_positions: [],
    },
    result: { reason: 'duration_reached', exitCode: 0 },
    quote: 'USDT', realized: zero, totalRealized: zero, unrealized: zero, fees: zero, otherCurrencies: [], unsplit: [],
    traceDecision: undefined, logFiles: [], replay: false,
    ...fields,
  };
}
