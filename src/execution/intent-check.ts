import type { MarketRules } from '../domain/market-rules.js';
import { INTENT_ID } from '../domain/ids.js';
import type { OrderIntent } from './order-intent.js';

/** What is wrong with an intent's inputs, naming the field and what was expected; null when usable. */
export function checkIntent(intent: OrderIntent, rules: MarketRules | undefined): string | null {
  if (!INTENT_ID.test(intent.intentId)) return `intent_id ${JSON.stringify(intent.intentId)}: expected int_<hex> from newIntentId()`;
  if (!rules) return `symbol ${JSON.stringify(intent.symbol)}: no market rules loaded for it`;
  if (!intent.referencePx.isPositive()) return `reference price ${intent.referencePx.toString()}: expected a positive price`;
  if (!Number.isFinite(intent.slippageBps) || intent.slippageBps < 0 || intent.slippageBps >= 10_000) {
    return `slippage_bps ${intent.slippageBps}: expected a number in [0, 10000)`;
  }
  if (!Number.isInteger(intent.maxRetries) || intent.maxRetries < 0) return `max_retries ${intent.maxRetries}: expected an integer >= 0`;
  if (!Number.isInteger(intent.retryBackoffMs) || intent.retryBackoffMs < 0) {
    return `retry_backoff_ms ${intent.retryBackoffMs}: expected an integer >= 0`;
  }
  const size = 'qty' in intent.size ? intent.size.qty : intent.size.quoteBudget;
  if (!size.isPositive()) return `${'qty' in intent.size ? 'qty' : 'quote_budget'} ${size.toString()}: expected a positive amount`;
  return null;
}
