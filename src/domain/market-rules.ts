import { Decimal } from './decimal.js';
import { err, ok, type Result } from './result.js';

/**
 * What an exchange allows on one market (its "filters"): prices on a tick grid, quantities on a lot
 * grid, a minimum quantity and order value, and the fee rates charged to the maker and the taker.
 */
export interface MarketRules {
  /** `BASE/QUOTE`, e.g. `BTC/USDT`. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Smallest price increment: every limit price is a multiple of it. */
  readonly tickSize: Decimal;
  /** Quantity step (lot size): every quantity is a multiple of it. */
  readonly lotSize: Decimal;
  readonly minQty: Decimal;
  /** Smallest order value (qty x price) in the quote asset. */
  readonly minNotional: Decimal;
  /** Fee rates as fractions of the order value (0.001 = 0.1%). */
  readonly makerFeeRate: Decimal;
  readonly takerFeeRate: Decimal;
}

export interface MarketRulesInput {
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: Decimal | string;
  readonly lotSize: Decimal | string;
  readonly minQty: Decimal | string;
  readonly minNotional: Decimal | string;
  readonly makerFeeRate: Decimal | string;
  readonly takerFeeRate: Decimal | string;
}

export interface MarketRulesError {
  readonly code: 'invalid_market_rules';
  /** The offending input, e.g. `tickSize`. */
  readonly input: keyof MarketRulesInput;
  readonly message: string;
}

const ASSET = /^[A-Z0-9]{1,20}$/;
const MAX_FEE_RATE = Decimal.parse('0.1');

/** Checks and builds one market's rules; every problem names the input and what was expected. */
export function marketRules(input: MarketRulesInput): Result<MarketRules, MarketRulesError> {
  const fail = (name: keyof MarketRulesInput, expected: string, got: unknown) =>
    err<MarketRulesError>({
      code: 'invalid_market_rules',
      input: name,
      message: `market rule ${name} ${JSON.stringify(String(got))}: expected ${expected}`,
    });
  for (const name of ['baseAsset', 'quoteAsset'] as const) {
    if (!ASSET.test(input[name])) return fail(name, 'an upper-case asset code such as BTC', input[name]);
  }
  const values = {} as Record<Exclude<keyof MarketRulesInput, 'baseAsset' | 'quoteAsset'>, Decimal>;
  for (const name of ['tickSize', 'lotSize', 'minQty', 'minNotional', 'makerFeeRate', 'takerFeeRate'] as const) {
    let value: Decimal;
    try {
      value = Decimal.from(input[name]);
    } catch {
      return fail(name, 'a decimal number', input[name]);
    }
    const mustBePositive = name === 'tickSize' || name === 'lotSize';
    if (mustBePositive ? !value.isPositive() : value.isNegative()) {
      return fail(name, mustBePositive ? 'a positive decimal' : 'zero or a positive decimal', input[name]);
    }
    if ((name === 'makerFeeRate' || name === 'takerFeeRate') && value.gte(MAX_FEE_RATE)) {
      return fail(name, 'a fraction below 0.1 (0.001 means 0.1%)', input[name]);
    }
    values[name] = value;
  }
  return ok({
    symbol: `${input.baseAsset}/${input.quoteAsset}`,
    baseAsset: input.baseAsset,
    quoteAsset: input.quoteAsset,
    ...values,
  });
}

/** Like `marketRules` for rules written in code, where a mistake is a programming error. */
export function marketRulesOrThrow(input: MarketRulesInput): MarketRules {
  const result = marketRules(input);
  if (!result.ok) throw new RangeError(result.error.message);
  return result.value;
}
