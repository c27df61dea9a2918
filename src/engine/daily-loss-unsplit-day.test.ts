import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { schema2File } from '../store/__fixtures__/schema-2-file.js';
import { StateStore } from '../store/state-store.js';
import { evaluateBuyGuards } from '../strategy/guards/buy-guards.js';
import type { GuardSnapshot } from '../strategy/guards/guard.js';
import { guardLimits } from '../strategy/guards/guard-limits.js';
import { Portfolio } from './portfolio.js';

const at = (day: number, hour: number): number => Date.UTC(2022, 0, day, hour);

/** Every guard but the daily loss limit passes: what it decides is the test's. */
function snapshot(portfolio: Portfolio, ts: number, currency: string): GuardSnapshot {
  return {
    symbol: 'UNITTEST/BTC', now: ts, tradingEnabled: true, openPositions: 0, hasPosition: false, lastExitAt: null, freeQuote: Decimal.parse('1'),
    minNotional: Decimal.parse('0.0001'), dataAgeMs: 0, realizedPnlToday: portfolio.realizedToday(ts, currency), atrPercent: 0.1,
  };
}

describe('the daily loss limit on a day booked before PnL was kept per currency', () => {
  it('refuses buying for the rest of a day whose old row mixes its currency with another, and counts its own currency alone on every other day', () => {
    // Upgraded on the 3rd at noon: that morning UNITTEST/BTC (BTC) and BTC/USD (USD) both booked,
    // into one row: +0.9 of USD gain and BTC loss together. The 2nd was BTC's alone (-0.01 BTC).
    const dir = tempDir();
    schema2File(dir, [
      { id: 1, symbol: 'UNITTEST/BTC', open: false, realized: '-0.04', fees: '0.00002', openedAt: at(2, 20), closedAt: at(3, 1), orders: [
        { side: 'buy', qty: '5', fee: '0.00001', feeCurrency: 'BTC', at: at(2, 20) }, { side: 'sell', qty: '5', fee: '0.00001', feeCurrency: 'BTC', at: at(3, 1) }] },
      { id: 2, symbol: 'BTC/USD', open: false, realized: '0.94', fees: '0.095', openedAt: at(3, 3), closedAt: at(3, 5), orders: [
        { side: 'buy', qty: '0.001', fee: '0.047', feeCurrency: 'USD', at: at(3, 3) }, { side: 'sell', qty: '0.001', fee: '0.048', feeCurrency: 'USD', at: at(3, 5) }] },
    ], [['2022-01-02', '-0.01', '0.00001', 0], ['2022-01-03', '0.9', '0.09501', 2]]);
    const store = StateStore.open({ dataDir: dir, exclusive: false });
    const portfolio = new Portfolio(store);
    const btcLimit = guardLimits({ dailyLossLimit: Decimal.parse('0.05'), dailyLossCurrency: 'BTC' });

    // The mixed +0.9 says nothing of the BTC part (here -0.04, close to the 0.05 limit): the BTC session may not buy that day.
    const upgradeDay = evaluateBuyGuards(snapshot(portfolio, at(3, 12), 'BTC'), btcLimit);
    expect(upgradeDay).toEqual({
      pass: false, guard: 'daily_loss_limit', observed: '0.9 BTC+USD (unsplit)', threshold: '-0.05',
      message: "today's (2022-01-03) realized PnL mixes currencies: 0.9 of BTC and USD together, booked before the upgrade to PnL per currency, cannot be split, so the daily loss limit of 0.05 BTC cannot be checked today; buying resumes at 00:00 UTC",
    });
    expect(evaluateBuyGuards(snapshot(portfolio, at(3, 23) + 3_599_999, 'BTC'), btcLimit)).toMatchObject({ pass: false, guard: 'daily_loss_limit' });
    // 00:00 UTC: a day of BTC's own, nothing booked yet.
    expect(evaluateBuyGuards(snapshot(portfolio, at(4, 0), 'BTC'), btcLimit)).toEqual({ pass: true });
    // A day only BTC booked on is BTC's exactly, and counted as such.
    expect(portfolio.realizedToday(at(2, 12), 'BTC')).toEqual({ pnl: Decimal.parse('-0.01'), unsplit: undefined });
    expect(evaluateBuyGuards(snapshot(portfolio, at(2, 12), 'BTC'), btcLimit)).toEqual({ pass: true });
    // A currency not mixed into the day holds none of it: a USDT limit counts its own (nothing) and lets buying go on.
    expect(evaluateBuyGuards(snapshot(portfolio, at(3, 12), 'USDT'), guardLimits({ dailyLossLimit: Decimal.parse('5'), dailyLossCurrency: 'USDT' }))).toEqual({ pass: true });
    store.close();
  });
});
