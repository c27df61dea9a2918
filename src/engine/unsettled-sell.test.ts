import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { ExchangeOrder, PlaceOrderRequest } from '../execution/exchange.js';
import type { ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import type { StateStore } from '../store/state-store.js';
import { flatBars, PassThroughVenue, runFirstHour, type FirstHourRun } from './__fixtures__/first-hour-engine.js';

const available = sharedDataAvailable();
const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];

/**
 * The network between the bot and the exchange on a bad day, for the first sell only: the sell
 * reaches the exchange and fills, but its answer times out; the router's four lookups fail on the
 * network; the watcher's first lookup, a bar later, is refused (a rejected request, not a rejected
 * order); the next one gets through.
 */
class LostSellAnswer extends PassThroughVenue {
  override readonly name = 'lossy-paper';
  private sell: string | undefined;
  private lookups = 0;
  override async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    const placed = await this.inner.placeOrder(request);
    if (request.side !== 'sell' || this.sell !== undefined) return placed;
    this.sell = request.clientOrderId;
    return failure(exchangeError.timeout('request timed out after 10000ms', true));
  }
  override fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    if (clientOrderId === this.sell) {
      this.lookups++;
      if (this.lookups <= 4) return Promise.resolve(failure(exchangeError.network('connect ECONNREFUSED')));
      if (this.lookups === 5) return Promise.resolve(failure(exchangeError.rejected('request rejected: try again later')));
    }
    return this.inner.fetchOrderByClientId(symbol, clientOrderId);
  }
}

describe.skipIf(!available)('an exit sell whose answer was lost, then whose lookups failed (real BTC-PERP candles)', () => {
  let run: FirstHourRun;
  let logs: ReadBack;
  let store: StateStore;
  let sells: AnyEventLine[];

  beforeAll(async () => {
    // After the buy, a drop that fires the stop loss on every bar.
    run = await runFirstHour({ dir: tempDir('tradetrace-unsettled-sell-'), candles: BTC_PERP_CSV, venue: (paper) => new LostSellAnswer(paper), after: (last) => flatBars(last, '40000.0', 6) });
    ({ logs, store } = run);
    sells = logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell');
  }, 60_000);

  afterAll(() => run.close());

  it('sends no second sell while the first may still fill: one EXIT_BLOCKED (unsettled_order) instead', () => {
    expect(logs.bad).toEqual([]);
    expect(sells).toHaveLength(1);
    const failed = logs.lines.filter((l) => l.event_type === 'ORDER_FAILED' && l.intent_id === sells[0]?.intent_id);
    expect(failed.map((l) => f(l, 'reason'))).toEqual(['timeout_exhausted']);
    const blocked = logs.lines.filter((l) => l.event_type === 'EXIT_BLOCKED');
    expect(blocked.map((l) => [f(l, 'rule'), f(l, 'refused_by')])).toEqual([['stop_loss', 'unsettled_order']]);
    expect(String(f(blocked[0], 'message'))).toContain(`order ${String(f(sells[0], 'client_order_id'))} (sell) is not settled yet (unknown)`);
  });

  it('a refused lookup does not mark the order rejected: the watcher asks again, finds the fill and closes the position', () => {
    const intent = sells[0]?.intent_id;
    const late = logs.lines.filter((l) => l.intent_id === intent && (l.event_type === 'ORDER_FILLED' || l.event_type === 'SELL_FILLED'));
    expect(late.map((l) => l.event_type)).toEqual(['ORDER_FILLED', 'SELL_FILLED']);
    expect(f(late[1], 'rule')).toBe('stop_loss');
    expect(store.positions()).toEqual([]);
    expect(store.order(String(f(sells[0], 'client_order_id')))?.status).toBe('filled');
    // What the exchange holds and what the bot books agree: no BTC left on either side.
    expect(store.balances().get('BTC')?.isZero() ?? true).toBe(true);
  });
});
