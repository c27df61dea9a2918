import type { BuyFunds, BuyGuard, GuardLimits, GuardName, GuardResult, GuardSnapshot, GuardValue } from './guard.js';

const PASS: GuardResult = { pass: true };

function block(guard: GuardName, observed: GuardValue, threshold: GuardValue, message: string): GuardResult {
  return { pass: false, guard, observed, threshold, message };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

const globalTrading: BuyGuard = {
  name: 'global_trading',
  check: (s) => (s.tradingEnabled ? PASS : block('global_trading', false, true, 'GLOBAL_TRADING is off: no new positions')),
};

const maxOpenPositions: BuyGuard = {
  name: 'max_open_positions',
  check: (s, l) =>
    s.openPositions < l.maxOpenPositions
      ? PASS
      : block('max_open_positions', s.openPositions, l.maxOpenPositions, `${s.openPositions} position${s.openPositions === 1 ? '' : 's'} open${s.openSymbols?.length ? ` (${s.openSymbols.join(', ')})` : ''}, the maximum is ${l.maxOpenPositions}`),
};

const alreadyInPosition: BuyGuard = {
  name: 'already_in_position',
  check: (s) => {
    if (!s.hasPosition) return PASS;
    if (s.unsettledOrder !== undefined) {
      return block('already_in_position', true, false, `an order on ${s.symbol} is not settled yet (${s.unsettledOrder}): no new buy until it fills, is canceled or expires`);
    }
    return block('already_in_position', true, false, `a position in ${s.symbol} is already open${s.positionNote ? `: ${s.positionNote}` : ''}`);
  },
};

const cooldown: BuyGuard = {
  name: 'cooldown',
  check: (s, l) => {
    if (s.lastExitAt === null) return PASS;
    const since = s.now - s.lastExitAt;
    return since >= l.cooldownMs
      ? PASS
      : block('cooldown', since, l.cooldownMs, `last exit in ${s.symbol} was ${seconds(since)} ago; cooldown is ${seconds(l.cooldownMs)}`);
  },
};

const insufficientBalance: BuyGuard = {
  name: 'insufficient_balance',
  check: (s) => {
    if (s.freeQuote.lt(s.minNotional)) {
      return block('insufficient_balance', s.freeQuote.toString(), s.minNotional.toString(), `free quote balance ${s.freeQuote.toString()} is below the minimum order value ${s.minNotional.toString()}`);
    }
    const funds = s.buyFunds?.();
    if (funds === undefined || funds.spendable.gte(funds.smallest.cost)) return PASS;
    return block('insufficient_balance', funds.spendable.toString(), funds.smallest.cost.toString(), smallestBuyMessage(s, funds));
  },
};

/** Why the funds cannot buy the smallest order: the budget or the balance, and what that order is. */
function smallestBuyMessage(s: GuardSnapshot, funds: BuyFunds): string {
  const { rules, smallest } = funds;
  const short = funds.budget.lt(s.freeQuote) ? `execution.quote_budget ${funds.budget.toString()}` : `free quote balance ${s.freeQuote.toString()}`;
  return (
    `${short} ${rules.quoteAsset} cannot pay for the smallest order ${s.symbol} takes at the limit price ${funds.limitPx.toString()}: ` +
    `${smallest.qty.toString()} ${rules.baseAsset} (minimum quantity ${rules.minQty.toString()}, minimum order value ${s.minNotional.toString()}, lot ${rules.lotSize.toString()}) costs ${smallest.cost.toString()} ${rules.quoteAsset} with the taker fee`
  );
}

const staleData: BuyGuard = {
  name: 'stale_data',
  check: (s, l) => {
    if (s.dataAgeMs === null) return block('stale_data', null, l.staleAfterMs, `no bar of ${s.symbol} received yet`);
    return s.dataAgeMs <= l.staleAfterMs
      ? PASS
      : block('stale_data', s.dataAgeMs, l.staleAfterMs, `latest ${s.symbol} bar closed ${seconds(s.dataAgeMs)} ago; data older than ${seconds(l.staleAfterMs)} is stale`);
  },
};

const dailyLossLimit: BuyGuard = {
  name: 'daily_loss_limit',
  check: (s, l) => {
    const floor = l.dailyLossLimit.neg();
    const unit = l.dailyLossCurrency === undefined ? '' : ` ${l.dailyLossCurrency}`;
    const { pnl, unsplit } = s.realizedPnlToday;
    if (unsplit) {
      // Refused rather than counted: the unsplit amount is several currencies added together, so
      // neither its size (0.05 USD is not 0.05 BTC) nor its sign (a USD gain can hide a BTC loss)
      // says what this currency lost that day. Counting it in could let buying go on past the
      // limit; refusing for the rest of the UTC day cannot, and the next day is this currency's alone.
      const named = unsplit.currencies.length > 0;
      const mixed = named ? unsplit.currencies.join('+') : 'unnamed currencies';
      const together = named ? `${unsplit.currencies.join(' and ')} together` : 'currencies the books do not name';
      return block(
        'daily_loss_limit',
        `${unsplit.realizedPnl.toString()} ${mixed} (unsplit)`,
        floor.toString(),
        `today's (${unsplit.day}) realized PnL mixes currencies: ${unsplit.realizedPnl.toString()} of ${together}, booked before the upgrade to PnL per currency, cannot be split, so the daily loss limit of ${l.dailyLossLimit.toString()}${unit} cannot be checked today; buying resumes at 00:00 UTC`,
      );
    }
    return pnl.gt(floor)
      ? PASS
      : block('daily_loss_limit', pnl.toString(), floor.toString(), `realized PnL today ${pnl.toString()}${unit} has reached the daily loss limit of ${l.dailyLossLimit.toString()}${unit}`);
  },
};

const volatility: BuyGuard = {
  name: 'volatility',
  check: (s, l) => {
    if (s.atrPercent === null) return block('volatility', null, l.maxAtrPercent, `volatility of ${s.symbol} not known yet (ATR warming up)`);
    return s.atrPercent <= l.maxAtrPercent
      ? PASS
      : block('volatility', round4(s.atrPercent), l.maxAtrPercent, `ATR is ${s.atrPercent.toFixed(3)}% of price, above the ${l.maxAtrPercent}% maximum`);
  },
};

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Every buy guard, in the order they run: the cheapest and most absolute refusals first. */
export const BUY_GUARDS: readonly BuyGuard[] = [
  globalTrading,
  maxOpenPositions,
  alreadyInPosition,
  cooldown,
  insufficientBalance,
  staleData,
  dailyLossLimit,
  volatility,
];

/** Runs the guards in order; the first refusal ends it (the decision logs it as BUY_BLOCKED). */
export function evaluateBuyGuards(snapshot: GuardSnapshot, limits: GuardLimits, guards: readonly BuyGuard[] = BUY_GUARDS): GuardResult {
  for (const guard of guards) {
    const result = guard.check(snapshot, limits);
    if (!result.pass) return result;
  }
  return PASS;
}
