import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { Exchange, ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import type { ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import type { StateStore } from '../store/state-store.js';
import { flatBars, PassThroughVenue, runFirstHour, type FirstHourRun } from './__fixtures__/first-hour-engine.js';
import type { EngineStats } from './engine-stats.js';

const available = sharedDataAvailable();
const d = (text: string) => Decimal.parse(text);
const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];

/**
 * An exchange stricter than the rules it publishes: it refuses sells worth less than `minSell`,
 * the way a venue whose minimum changed (or that values orders at its own mark) would.
 */
class StricterExchange extends PassThroughVenue {
  override readonly name = 'stricter-paper';
  constructor(inner: Exchange, private readonly minSell: Decimal) {
    super(inner);
  }
  override placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    if (request.side === 'sell' && request.type === 'limit' && request.qty.mul(request.limitPx).lt(this.minSell)) {
      return Promise.resolve(failure(exchangeError.invalidOrder('notional_below_min', `order value below this venue's minimum ${this.minSell.toString()}`)));
    }
    return this.inner.placeOrder(request);
  }
}

describe.skipIf(!available)('an exit sell the router refuses for its value although the pre-check passed it (real BTC-PERP candles)', () => {
  let run: FirstHourRun;
  let logs: ReadBack;
  let stats: EngineStats;
  let store: StateStore;

  beforeAll(async () => {
    // At 7000 the sell (limit 6986) is worth 6.986 USD: above the published 5, below the venue's 10.
    // At 7500 (7.485) it is worth more than the refused value, so it is tried once more; at 10100 it sells.
    run = await runFirstHour({
      dir: tempDir('tradetrace-exit-refused-'), candles: BTC_PERP_CSV,
      venue: (paper) => new StricterExchange(paper, d('10')),
      after: (last) => {
        const bars = flatBars(last, '7000.0', 10);
        bars.push(...flatBars(bars.at(-1)?.openTime ?? 0, '7500.0', 10));
        bars.push(...flatBars(bars.at(-1)?.openTime ?? 0, '10100.0', 2));
        return bars;
      },
    });
    ({ logs, stats, store } = run);
  }, 60_000);

  afterAll(() => run.close());

  it('holds the position after the refusal instead of sending the same sell every bar, and sells once it is worth enough', () => {
    expect(logs.bad).toEqual([]);
    const buys = logs.lines.filter((l) => l.event_type === 'BUY_FILLED');
    expect(buys).toHaveLength(1);
    const id = buys[0]?.decision_id;
    const exit = logs.lines.filter((l) => l.decision_id === id && ['EXIT_BLOCKED', 'EXIT_TRIGGERED', 'ORDER_FAILED', 'SELL_FILLED'].includes(l.event_type) && f(l, 'side') !== 'buy');
    // 20 bars where the stop loss fires below 10 USD: two refusals (at 7000, then at the higher 7500), not twenty.
    expect(exit.map((l) => l.event_type === 'ORDER_FAILED' ? `ORDER_FAILED ${String(f(l, 'reason'))}` : l.event_type)).toEqual([
      'EXIT_TRIGGERED', 'ORDER_FAILED min_notional', 'EXIT_BLOCKED', 'EXIT_TRIGGERED', 'ORDER_FAILED min_notional', 'EXIT_TRIGGERED', 'SELL_FILLED',
    ]);
    const blocked = exit.find((l) => l.event_type === 'EXIT_BLOCKED');
    expect([f(blocked, 'refused_by'), f(blocked, 'notional'), f(blocked, 'min_notional'), blocked?.intent_id === undefined]).toEqual(['router', 6.986, 5, false]);
    expect(String(f(blocked, 'message'))).toContain('held until its order value exceeds 6.986 USD');
    expect(stats.exitsBlocked).toBe(1);
    expect(stats.failures.get('min_notional')).toBe(2);
    expect(stats.exitBlockedNow.size).toBe(0);
    expect(store.positions()).toEqual([]);
  });
});
