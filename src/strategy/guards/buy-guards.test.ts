import { describe, expect, it } from 'vitest';
import { Decimal } from '../../domain/decimal.js';
import { BUY_GUARDS, evaluateBuyGuards } from './buy-guards.js';
import { GUARD_NAMES, type GuardLimits, type GuardSnapshot } from './guard.js';
import { DEFAULT_GUARD_LIMITS, guardLimits } from './guard-limits.js';
import { StrategyOptionsError } from '../strategy-options-error.js';

const NOW = Date.UTC(2022, 0, 15, 12, 0);
const limits: GuardLimits = guardLimits({
  maxOpenPositions: 2,
  cooldownMs: 600_000,
  staleAfterMs: 180_000,
  dailyLossLimit: Decimal.parse('50'),
  maxAtrPercent: 0.5,
});

/** A snapshot every guard passes; each test breaks one thing. */
const healthy: GuardSnapshot = {
  symbol: 'BTC/USDT',
  now: NOW,
  tradingEnabled: true,
  openPositions: 1,
  hasPosition: false,
  lastExitAt: NOW - 3_600_000,
  freeQuote: Decimal.parse('1000'),
  minNotional: Decimal.parse('10'),
  dataAgeMs: 5_000,
  realizedPnlToday: { pnl: Decimal.parse('-12.5'), unsplit: undefined },
  atrPercent: 0.12,
};

const check = (change: Partial<GuardSnapshot>) => evaluateBuyGuards({ ...healthy, ...change }, limits);

describe('buy guards', () => {
  it('run in the fixed order of GUARD_NAMES', () => {
    expect(BUY_GUARDS.map((g) => g.name)).toEqual([...GUARD_NAMES]);
  });

  it('pass a healthy snapshot', () => {
    expect(evaluateBuyGuards(healthy, limits)).toEqual({ pass: true });
  });

  it.each<[string, Partial<GuardSnapshot>, unknown, unknown]>([
    ['global_trading', { tradingEnabled: false }, false, true],
    ['max_open_positions', { openPositions: 2 }, 2, 2],
    ['already_in_position', { hasPosition: true }, true, false],
    ['cooldown', { lastExitAt: NOW - 120_000 }, 120_000, 600_000],
    ['insufficient_balance', { freeQuote: Decimal.parse('9.99') }, '9.99', '10'],
    ['stale_data', { dataAgeMs: 180_001 }, 180_001, 180_000],
    ['stale_data', { dataAgeMs: null }, null, 180_000],
    ['daily_loss_limit', { realizedPnlToday: { pnl: Decimal.parse('-50'), unsplit: undefined } }, '-50', '-50'],
    ['volatility', { atrPercent: 0.73456 }, 0.7346, 0.5],
    ['volatility', { atrPercent: null }, null, 0.5],
  ])('%s blocks with what it observed against its threshold', (guard, change, observed, threshold) => {
    const result = check(change);
    expect(result).toMatchObject({ pass: false, guard, observed, threshold });
    if (!result.pass) expect(result.message.length).toBeGreaterThan(10);
  });

  it.each<[string, Partial<GuardSnapshot>]>([
    ['max_open_positions', { openPositions: 1 }],
    ['cooldown (never exited)', { lastExitAt: null }],
    ['cooldown (exactly elapsed)', { lastExitAt: NOW - 600_000 }],
    ['insufficient_balance (exactly the minimum)', { freeQuote: Decimal.parse('10') }],
    ['stale_data (exactly the threshold)', { dataAgeMs: 180_000 }],
    ['daily_loss_limit (a profit)', { realizedPnlToday: { pnl: Decimal.parse('30'), unsplit: undefined } }],
    ['volatility (exactly the maximum)', { atrPercent: 0.5 }],
  ])('%s lets a value at its limit through', (_name, change) => {
    expect(check(change)).toEqual({ pass: true });
  });

  it('daily_loss_limit names the currency its limit and the PnL it counts are in', () => {
    const btc = guardLimits({ ...limits, dailyLossLimit: Decimal.parse('0.05'), dailyLossCurrency: 'BTC' });
    expect(evaluateBuyGuards({ ...healthy, realizedPnlToday: { pnl: Decimal.parse('-0.06'), unsplit: undefined } }, btc)).toMatchObject({
      guard: 'daily_loss_limit', observed: '-0.06', threshold: '-0.05', message: 'realized PnL today -0.06 BTC has reached the daily loss limit of 0.05 BTC',
    });
  });

  it('daily_loss_limit refuses buying all day when the day mixes its currency with others from before the upgrade, a gain included', () => {
    const btc = guardLimits({ ...limits, dailyLossLimit: Decimal.parse('0.05'), dailyLossCurrency: 'BTC' });
    // +0.9499 of BTC and USD together: a USD gain of about 0.95 that may hide any BTC loss up to it.
    const unsplit = { day: '2022-01-15', currencies: ['BTC', 'USD'], realizedPnl: Decimal.parse('0.9499') };
    expect(evaluateBuyGuards({ ...healthy, realizedPnlToday: { pnl: Decimal.parse('0.01'), unsplit } }, btc)).toEqual({
      pass: false, guard: 'daily_loss_limit', observed: '0.9499 BTC+USD (unsplit)', threshold: '-0.05',
      message: "today's (2022-01-15) realized PnL mixes currencies: 0.9499 of BTC and USD together, booked before the upgrade to PnL per currency, cannot be split, so the daily loss limit of 0.05 BTC cannot be checked today; buying resumes at 00:00 UTC",
    });
    const unnamed = { day: '2022-01-15', currencies: [], realizedPnl: Decimal.parse('-1') };
    expect(evaluateBuyGuards({ ...healthy, realizedPnlToday: { pnl: Decimal.ZERO, unsplit: unnamed } }, btc)).toMatchObject({ observed: '-1 unnamed currencies (unsplit)', message: expect.stringContaining('-1 of currencies the books do not name') as unknown });
  });

  it('reports the first failing guard when several fail', () => {
    expect(check({ hasPosition: true, dataAgeMs: null, atrPercent: 9 })).toMatchObject({ guard: 'already_in_position' });
    expect(check({ tradingEnabled: false, openPositions: 99 })).toMatchObject({ guard: 'global_trading' });
  });

  it('reads the snapshot lazily: guards after the first refusal are not asked', () => {
    let asked = false;
    const snapshot = Object.defineProperty({ ...healthy, tradingEnabled: false }, 'atrPercent', {
      get: () => {
        asked = true;
        return 0.1;
      },
    });
    evaluateBuyGuards(snapshot, limits);
    expect(asked).toBe(false);
  });

  it('limits: defaults fill in, nonsense is refused naming the option', () => {
    expect(guardLimits()).toEqual(DEFAULT_GUARD_LIMITS);
    expect(() => guardLimits({ maxOpenPositions: -1 })).toThrow(StrategyOptionsError);
    expect(() => guardLimits({ dailyLossLimit: Decimal.parse('-5') })).toThrow(/daily_loss_limit/);
    expect(() => guardLimits({ staleAfterMs: 0 })).toThrow(/stale_after_ms/);
  });
});
