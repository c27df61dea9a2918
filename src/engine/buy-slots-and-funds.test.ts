import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { btcPerpSlice, sharedDataAvailable } from '../../test/support/shared-data.js';
import { replayToEnd } from './__fixtures__/replay-session.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { EventLine } from '../recorder/events/catalog.js';

const available = sharedDataAvailable();

function blocks(logs: ReadBack): EventLine<'BUY_BLOCKED'>[] {
  return logs.lines.flatMap((l) => (l.event_type === 'BUY_BLOCKED' ? [l] : []));
}

async function replay(files: readonly string[], symbols: readonly string[], sets: readonly string[]): Promise<ReadBack> {
  return (await replayToEnd(join(tempDir('tradetrace-buy-slots-'), 'data'), files, ['trading.quote_currency=USD', ...sets], { symbols })).logs;
}

describe.skipIf(!available)('buy guards on real BTC candles: slots taken by unsettled buys, and funds for the smallest order', () => {
  it('counts a buy not settled yet (unknown after a timeout) toward max_open_positions: never two positions under a limit of 1', async () => {
    // The same candles as two markets, most orders timing out (seeded): a BTC buy left in unknown
    // state, with no position yet, let the ETH decision of the same bar buy too, and both filled.
    const csv = btcPerpSlice(tempDir('tradetrace-buy-slots-csv-'), 'btc.csv', 10_000);
    const logs = await replay([csv, csv], ['BTC/USD', 'ETH/USD'], ['trading.max_open_positions=1', 'paper_exchange.fault_timeout=0.9', 'paper_exchange.seed=7']);
    const atLimit = blocks(logs).filter((l) => l.guard === 'max_open_positions');
    expect(atLimit.length).toBeGreaterThan(1000);
    expect(atLimit.filter((l) => l.observed !== 1)).toEqual([]);
    // At the limit because of a buy not settled, the refusal names it as such.
    expect(atLimit.some((l) => /^1 position open \((BTC|ETH)\/USD: a buy order not settled, no position yet\), the maximum is 1$/.test(l.message))).toBe(true);
    // Positions as the fills open and close them (every fill here is whole): never two at once.
    const held = new Set<string>();
    let most = 0;
    for (const l of logs.lines) {
      if (l.event_type === 'BUY_FILLED') held.add(l.symbol);
      if (l.event_type === 'SELL_FILLED') held.delete(l.symbol);
      most = Math.max(most, held.size);
    }
    expect(most).toBe(1);
  }, 120_000);

  it('says an unsettled order, not an open position, when that is what blocks the symbol', async () => {
    const csv = btcPerpSlice(tempDir('tradetrace-buy-slots-csv-'), 'btc.csv', 3_000);
    const logs = await replay([csv], ['BTC/USD'], ['trading.max_open_positions=3', 'paper_exchange.fault_timeout=0.9', 'paper_exchange.seed=7']);
    const blocked = blocks(logs).filter((l) => l.guard === 'already_in_position').map((l) => l.message);
    const unsettled = blocked.filter((m) => m.startsWith('an order on BTC/USD is not settled yet'));
    expect(unsettled.length).toBeGreaterThan(0);
    expect(unsettled[0]).toMatch(/^an order on BTC\/USD is not settled yet \(buy int_[0-9a-f]{16} \([a-z_]+\)\): no new buy until it fills, is canceled or expires$/);
  }, 120_000);

  it('blocks at the guard, naming the smallest order and its cost, a balance that sizes buys below the minimum order value', async () => {
    // 6 USD passes "free >= min notional 5", but at ~46,500 the lot of 0.0001 BTC is worth 4.65:
    // every signal was an order refused for min_notional. The guard now refuses the bar instead.
    const csv = btcPerpSlice(tempDir('tradetrace-buy-slots-csv-'), 'btc.csv', 2_000);
    const logs = await replay([csv], ['BTC/USD'], ['trading.starting_quote_balance=6']);
    expect(logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' || l.event_type === 'ORDER_FAILED')).toEqual([]);
    const guards = new Set(blocks(logs).map((l) => l.guard));
    expect(guards).toEqual(new Set(['insufficient_balance']));
    const first = blocks(logs)[0];
    expect(first?.observed).toBe('6');
    expect(first?.message).toMatch(/^free quote balance 6 USD cannot pay for the smallest order BTC\/USD takes at the limit price [0-9.]+: 0\.0002 BTC \(minimum quantity 0\.0001, minimum order value 5, lot 0\.0001\) costs [0-9.]+ USD with the taker fee$/);
  }, 120_000);
});
