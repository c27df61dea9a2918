import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBars } from '../../test/support/load-bars.js';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { exchangeError, failure, type ExchangeResult } from '../execution/exchange-error.js';
import type { Exchange, ExchangeOrder } from '../execution/exchange.js';
import type { FaultOptions } from '../execution/paper/fault-injector.js';
import type { PaperExchange } from '../execution/paper/paper-exchange.js';
import { readLogs, type ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import type { StateStore } from '../store/state-store.js';
import { engineRig } from './__fixtures__/engine-rig.js';
import { PassThroughVenue } from './__fixtures__/first-hour-engine.js';
import { paperMarketFor } from './paper-markets.js';

const available = sharedDataAvailable();
/**
 * On the real UNITTEST/BTC file the strategy's first buy (bar 19, 00:19) is a GTC limit for 31167
 * that the market fills only in small parts: it rests, partially filled, while the price falls
 * through the stop loss a few bars later. 120 bars cover that and what follows.
 */
const BARS = 120;
const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];
const num = (line: AnyEventLine | undefined, name: string): number => Number(f(line, name));

interface Run {
  readonly logs: ReadBack;
  readonly store: StateStore;
  readonly paper: PaperExchange;
  close(): void;
}

async function runAltcoin(options: { readonly sets?: readonly string[]; readonly faults?: FaultOptions; readonly venue?: (paper: Exchange) => Exchange; readonly bars?: number }): Promise<Run> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=BTC', 'execution.tif=GTC', ...(options.sets ?? [])] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const { config } = loaded.value;
  const bars = (await loadBars(ALTCOIN_JSON)).slice(0, options.bars ?? BARS);
  const first = bars[0]!;
  const spec = paperMarketFor(first.symbol, { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps }, first.close);
  const rig = engineRig({
    config, spec, dataDir: join(tempDir('tradetrace-exit-cancel-'), 'data'), sessionId: 'session_20171105_000000', firstOpen: first.openTime,
    ...(options.faults ? { faults: options.faults } : {}), ...(options.venue ? { venue: options.venue } : {}),
  });
  try {
    await rig.feed(bars);
  } catch (error) {
    rig.close();
    throw error;
  }
  rig.recorder.flush();
  const logs = await readLogs(rig.logsDir);
  return { logs, store: rig.store, paper: rig.paper, close: () => rig.close() };
}

/** The first buy's lines, in the order written, with what every case reads of them. */
function firstBuy(logs: ReadBack): { context: AnyEventLine; decisionId: string; buyId: string; lines: AnyEventLine[]; types: string[]; sell: number } {
  const context = logs.lines.find((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'buy');
  if (!context) throw new Error('no buy in the run');
  const decisionId = String(context.decision_id);
  // In the order written (the session's seq), whatever channel's file each line is in.
  const lines = logs.lines.filter((l) => l.decision_id === decisionId).sort((a, b) => num(a, 'seq') - num(b, 'seq'));
  const sell = lines.findIndex((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell');
  return { context, decisionId, buyId: String(f(context, 'client_order_id')), lines, types: lines.map((l) => l.event_type), sell };
}

describe.skipIf(!available)('an exit rule fires while the bot\'s own GTC buy rests partially filled (real UNITTEST/BTC candles)', () => {
  it('cancels the resting buy, then sells the whole position on the same bar, every line under the position\'s decision_id', async () => {
    const run = await runAltcoin({});
    try {
      const { logs, store } = run;
      expect(logs.bad).toEqual([]);
      const { context, decisionId, buyId, lines, types, sell } = firstBuy(logs);
      const trigger = types.indexOf('EXIT_TRIGGERED');
      const cancel = types.indexOf('ORDER_CANCELED');
      expect(trigger, types.join(' ')).toBeGreaterThan(0);
      expect(cancel).toBeGreaterThan(trigger);
      expect(sell).toBeGreaterThan(cancel);
      // The cancel is the buy intent's line, under the position's decision, and says why.
      const canceled = lines[cancel]!;
      expect(canceled.intent_id).toBe(context.intent_id);
      expect([f(canceled, 'client_order_id'), f(canceled, 'side'), f(canceled, 'reason')]).toEqual([buyId, 'buy', `exit_${String(f(lines[trigger], 'rule'))}`]);
      // The buy is settled at the exchange and in the store: nothing locked by it any more.
      expect(run.paper.peekOrder(buyId)?.status).toBe('canceled');
      expect(store.order(buyId)?.status).toBe('canceled');
      const bought = num(canceled, 'filled_qty');
      expect(bought).toBeGreaterThan(0);
      expect(bought).toBeLessThan(num(context, 'qty'));
      // The sell is for the whole position the cancel left, sent on the trigger's bar (no EXIT_BLOCKED between).
      expect(num(lines[sell], 'qty')).toBe(bought);
      expect(types.slice(trigger, sell)).not.toContain('EXIT_BLOCKED');
      const sold = lines.filter((l) => l.event_type === 'SELL_FILLED').reduce((sum, l) => sum + num(l, 'qty'), 0);
      expect(sold).toBe(bought);
      // The exit's EXIT_BLOCKED lines, if any, are about the exit's own resting sell, never the buy.
      for (const blocked of lines.filter((l) => l.event_type === 'EXIT_BLOCKED')) expect(String(f(blocked, 'message'))).not.toContain('(buy)');
      expect(store.positions().find((p) => p.decisionId === decisionId)).toBeUndefined();
      // No take-profit sell rests in these bars: the exit cancels only the buy.
      const exitCancels = logs.lines.filter((l) => l.event_type === 'ORDER_CANCELED' && String(f(l, 'reason')).startsWith('exit_'));
      expect(exitCancels.map((l) => f(l, 'side'))).toEqual(exitCancels.map(() => 'buy'));
    } finally {
      run.close();
    }
  }, 60_000);

  it('a cancel whose answer times out blocks the exit for one bar with a line saying so; the watcher finds the order canceled and the sell follows', async () => {
    const run = await runAltcoin({ faults: { script: { cancelOrder: ['timeout_reached'] } } });
    try {
      const { logs, store } = run;
      expect(logs.bad).toEqual([]);
      const { decisionId, buyId, lines, types, sell } = firstBuy(logs);
      const trigger = types.indexOf('EXIT_TRIGGERED');
      const blocked = types.indexOf('EXIT_BLOCKED');
      const cancel = types.indexOf('ORDER_CANCELED');
      expect(trigger, types.join(' ')).toBeGreaterThan(0);
      expect([blocked > trigger, cancel > blocked, sell > cancel], types.join(' ')).toEqual([true, true, true]);
      expect(f(lines[blocked], 'refused_by')).toBe('unsettled_order');
      const message = String(f(lines[blocked], 'message'));
      expect(message).toContain(`order ${buyId} (buy) was resting on the book`);
      expect(message).toContain('the cancel failed (timeout');
      expect(lines[blocked]!.decision_id).toBe(decisionId);
      // No sell while the buy's state was not known; the cancel's line is written once the watcher found it canceled.
      expect(lines.slice(0, cancel).some((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell')).toBe(false);
      expect([f(lines[cancel], 'client_order_id'), f(lines[cancel], 'reason')]).toEqual([buyId, `exit_${String(f(lines[trigger], 'rule'))}`]);
      expect(store.order(buyId)?.status).toBe('canceled');
      expect(num(lines[sell], 'qty')).toBe(Number(store.order(buyId)?.filledQty.toString()));
      expect(store.positions().find((p) => p.decisionId === decisionId)).toBeUndefined();
    } finally {
      run.close();
    }
  }, 60_000);

  it('a cancel the exchange keeps refusing keeps the exit blocked (one line), tried again each bar, and the sell goes once a cancel gets through', async () => {
    const run = await runAltcoin({ faults: { script: { cancelOrder: ['rejected', 'rejected', 'rejected'] } } });
    try {
      const { logs, store } = run;
      expect(logs.bad).toEqual([]);
      const { decisionId, buyId, lines, types, sell } = firstBuy(logs);
      const cancel = types.indexOf('ORDER_CANCELED');
      const blockedForBuy = lines.filter((l) => l.event_type === 'EXIT_BLOCKED' && String(f(l, 'message')).includes('(buy)'));
      expect(blockedForBuy, types.join(' ')).toHaveLength(1);
      expect(String(f(blockedForBuy[0], 'message'))).toContain('the cancel failed (rejected');
      // The fourth cancel (the fourth bar the rule fired) got through: then the sell.
      expect(run.paper.faults.injected.filter((i) => i.operation === 'cancelOrder')).toHaveLength(3);
      expect(cancel).toBeGreaterThan(types.indexOf('EXIT_BLOCKED'));
      expect(sell).toBeGreaterThan(cancel);
      expect(lines.slice(0, cancel).some((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell')).toBe(false);
      expect(store.order(buyId)?.status).toBe('canceled');
      // The stop's sells are IOC: on this thin market each bar sells what its volume takes, while the
      // rule fires; what they have not sold yet is still held, nothing is sold twice.
      const bought = num(lines[cancel], 'filled_qty');
      const sold = lines.filter((l) => l.event_type === 'SELL_FILLED').reduce((total, l) => total + num(l, 'qty'), 0);
      const held = Number(store.positions().find((p) => p.decisionId === decisionId)?.qty.toString() ?? '0');
      expect(sold).toBeGreaterThan(0);
      expect(sold + held).toBe(bought);
      expect(new Set(lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell').map((l) => f(l, 'tif')))).toEqual(new Set(['IOC']));
    } finally {
      run.close();
    }
  }, 60_000);

  it('fills the watcher missed are booked from the cancel\'s answer: the position grows by them and the sell carries all of it', async () => {
    // The network drops every look-up of the buy after its first: the store knows only the first
    // fill when the rule fires; the cancel's answer reports the rest.
    let lookups = 0;
    class LostLookups extends PassThroughVenue {
      override fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
        if (this.isBuy(clientOrderId) && ++lookups > 1) return Promise.resolve(failure(exchangeError.network('connect ECONNREFUSED')));
        return this.inner.fetchOrderByClientId(symbol, clientOrderId);
      }
      private isBuy(clientOrderId: string): boolean {
        return (this.inner as PaperExchange).peekOrder(clientOrderId)?.side === 'buy';
      }
    }
    const run = await runAltcoin({ venue: (paper) => new LostLookups(paper) });
    try {
      const { logs, store } = run;
      expect(logs.bad).toEqual([]);
      const { decisionId, buyId, lines, types, sell } = firstBuy(logs);
      const trigger = types.indexOf('EXIT_TRIGGERED');
      const cancel = types.indexOf('ORDER_CANCELED');
      const known = num(lines[trigger], 'qty');
      const fromCancel = lines.slice(trigger, cancel).filter((l) => l.event_type === 'BUY_FILLED');
      expect(fromCancel.length, types.join(' ')).toBe(1);
      const total = num(lines[cancel], 'filled_qty');
      expect(total).toBe(known + num(fromCancel[0], 'qty'));
      expect(total).toBeGreaterThan(known);
      expect(total).toBe(Number(run.paper.peekOrder(buyId)?.filledQty.toString()));
      expect(num(lines[sell], 'qty')).toBe(total);
      expect(store.positions().find((p) => p.decisionId === decisionId)).toBeUndefined();
    } finally {
      run.close();
    }
  }, 60_000);
});
