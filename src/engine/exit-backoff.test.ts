import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import type { Bar } from '../market-data/index.js';
import type { ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import type { StateStore } from '../store/state-store.js';
import { flatBars, PassThroughVenue, runFirstHour, type FirstHourRun } from './__fixtures__/first-hour-engine.js';

const available = sharedDataAvailable();
const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];

/** An exchange whose account no longer holds what the bot's books say (sold by hand): it refuses every sell until `allowSells`. */
class SoldByHand extends PassThroughVenue {
  override readonly name = 'sold-by-hand-paper';
  allowSells = false;
  override placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    if (request.side === 'sell' && !this.allowSells) return Promise.resolve(failure(exchangeError.insufficientBalance('BTC', 'order needs 0.001 BTC, free 0')));
    return this.inner.placeOrder(request);
  }
}

describe.skipIf(!available)('an exit sell the exchange keeps refusing for a lasting reason (real BTC-PERP candles, then a drop)', () => {
  let run: FirstHourRun;
  let logs: ReadBack;
  let store: StateStore;
  let drop: readonly Bar[];

  beforeAll(async () => {
    let venue: SoldByHand | undefined;
    // After the buy, 40 bars where the stop loss fires on every bar; the account is put right (the
    // operator bought the coins back) on bar 20 of them.
    run = await runFirstHour({
      dir: tempDir('tradetrace-exit-backoff-'), candles: BTC_PERP_CSV,
      venue: (paper) => (venue = new SoldByHand(paper)),
      after: (last) => flatBars(last, '40000.0', 40),
      beforeBar: (i) => {
        if (i === 20 && venue) venue.allowSells = true;
      },
    });
    ({ logs, store, after: drop } = run);
  }, 60_000);

  afterAll(() => run.close());

  it('retries after 1, 2, 4, 8 and 16 bars instead of on every bar, says so once, and sells at the next try once the exchange lets it', () => {
    expect(logs.bad).toEqual([]);
    const sells = logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell');
    const failed = logs.lines.filter((l) => l.event_type === 'ORDER_FAILED' && f(l, 'side') === 'sell').map((l) => f(l, 'reason'));
    // Tried on drop bars 0, 1, 3, 7 and 15 (refused), then 31: the account was right from bar 20,
    // and the sell on bar 31 fills. Every bar before, 40 sells would have been sent.
    expect(failed).toEqual(Array.from({ length: 5 }, () => 'insufficient_balance'));
    // Exits run before the bar's decision: a sell belongs to the bar of the next DECISION_START.
    const starts = logs.lines.filter((l) => l.event_type === 'DECISION_START');
    const barOf = (line: AnyEventLine): number => drop.findIndex((b) => Date.parse(String(f(starts.find((st) => st.seq > line.seq), 'bar_ts'))) === b.openTime);
    expect(sells.map(barOf)).toEqual([0, 1, 3, 7, 15, 31]);
    const blocked = logs.lines.filter((l) => l.event_type === 'EXIT_BLOCKED');
    expect(blocked.map((l) => [f(l, 'rule'), f(l, 'refused_by')])).toEqual([['stop_loss', 'router']]);
    expect(String(f(blocked[0], 'message'))).toMatch(/the sell failed 2 times in a row .*insufficient_balance.*retried after 2 bars/);
    const sold = logs.lines.filter((l) => l.event_type === 'SELL_FILLED');
    expect(sold.map((l) => f(l, 'rule'))).toEqual(['stop_loss']);
    expect(store.positions()).toEqual([]);
  });
});
