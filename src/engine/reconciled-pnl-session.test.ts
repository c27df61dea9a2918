import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { PaperExchange } from '../execution/paper/paper-exchange.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { StateStore } from '../store/state-store.js';
import { paperMarkets, startingBalances, type FeedChoice } from './paper-setup.js';
import { PAPER_EXCHANGE_FILE, PaperSession } from './paper-session.js';
import { formatPaperSummary, paperSummary } from './session-summary.js';

const d = (text: string): Decimal => Decimal.parse(text);
const SYMBOL = 'BTC/USD';
const BOUGHT = Date.UTC(2022, 0, 3, 10);
const SOLD = BOUGHT + 37_620_000;
const RESTARTED = 'session_20220105_000000';

/** A few flat bars two days after the sale: too few to warm the strategy, so the session trades nothing itself. */
function candles(path: string): void {
  const start = Date.UTC(2022, 0, 5);
  const rows = [0, 1, 2, 3, 4].map((i) => `${new Date(start + i * 60_000).toISOString().replace('T', ' ').replace('Z', '000')},46000.0,46000.0,46000.0,46000.0,100.0`);
  writeFileSync(path, `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
}

/**
 * What the killed sessions left: a position bought (and booked) at BOUGHT, and its take-profit sell,
 * recorded and filled by the exchange at SOLD, whose answer was lost (the store holds it unknown).
 */
async function killedState(dataDir: string, feed: FeedChoice, config: Parameters<typeof startingBalances>[0]): Promise<void> {
  const specs = await paperMarkets(config, feed, [SYMBOL]);
  const balances = startingBalances(config, specs.map((s) => s.rules));
  const exchange = new PaperExchange({ markets: specs, balances: Object.fromEntries(balances), sleep: () => Promise.resolve(), state: { path: join(dataDir, PAPER_EXCHANGE_FILE) } });
  const store = StateStore.open({ dataDir });
  store.setBalances(balances, { ts: BOUGHT });
  const send = async (n: number, side: 'buy' | 'sell', px: string, limit: string, at: number) => {
    exchange.onCandle(SYMBOL, { openTime: at, open: d(px), high: d(px), low: d(px), close: d(px), volume: d('1000000') });
    const clientOrderId = `int_00000000000000c${n}-1`;
    store.recordOrder({ clientOrderId, intentId: `int_00000000000000c${n}`, decisionId: 'dec_20220103_100000_0000c1', symbol: SYMBOL, side, qty: d('0.001'), limitPx: d(limit), ts: at, ...(side === 'sell' ? { exitRule: 'take_profit' as const } : {}) });
    const placed = await exchange.placeOrder({ clientOrderId, symbol: SYMBOL, side, qty: d('0.001'), type: 'limit', limitPx: d(limit), tif: 'IOC' });
    if (placed.ok && !placed.value.filledQty.eq(d('0.001'))) throw new Error(`filled ${placed.value.filledQty.toString()} of 0.001`);
    if (!placed.ok || placed.value.avgPx === null) throw new Error(`not filled: ${JSON.stringify(placed)}`);
    return placed.value;
  };
  const buy = await send(1, 'buy', '45000', '45100', BOUGHT);
  store.applyFill({ clientOrderId: buy.clientOrderId, filledQty: buy.filledQty, avgPx: buy.avgPx ?? d('0'), fee: buy.fee, feeCurrency: buy.feeCurrency, status: 'filled', exchangeOrderId: buy.exchangeOrderId, ts: BOUGHT });
  const sell = await send(2, 'sell', '46000', '45900', SOLD);
  store.updateOrder(sell.clientOrderId, { status: 'unknown', ts: SOLD + 60_000 });
  store.close();
  exchange.close();
}

describe('the session that starts by reconciling an exit sold while no bot ran', () => {
  it('counts its PnL as realized this session, says so, and logs the sale as a SELL_FILLED of its own', async () => {
    const dir = tempDir('tradetrace-reconciled-pnl-');
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    const csv = join(dir, 'BTCUSD.csv');
    candles(csv);
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { config } = loaded.value;
    const feed: FeedChoice = { kind: 'replay', files: [csv], symbols: [SYMBOL] };
    await killedState(dataDir, feed, config);

    const recorder = new Recorder({ sessionId: RESTARTED, sink: new FileSink(logsDir) });
    const session = await PaperSession.open({ config, recorder, dataDir, logsDir, feed, speed: 'max', signals: false, watchdog: false });
    const result = await session.run();
    const summary = paperSummary(session, result, []);
    recorder.close();
    expect(result.reason, JSON.stringify(result)).toBe('data_end');

    // Sold 0.001 at 46000, bought at 45000, taker fees (10 bps) on both: +1 - 0.046 - 0.045.
    const realized = summary.totalRealized;
    expect(realized.toString()).toBe('0.909');
    expect(summary.realized.toString()).toBe(realized.toString());
    expect(summary.record).toMatchObject({ realized_pnl: realized.toString(), realized_pnl_reconciled: realized.toString(), sells_filled: 1, buys_filled: 0 });
    const text = formatPaperSummary(RESTARTED, summary, dataDir);
    expect(text).toContain(`realized +${realized.toString()} USD this session, incl. +${realized.toString()} from fills reconciled at start (total +${realized.toString()})`);

    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    const sold = logs.lines.filter((l) => l.event_type === 'SELL_FILLED');
    expect(sold.map((l) => [l.session_id, l.decision_id, l.intent_id])).toEqual([[RESTARTED, 'dec_20220103_100000_0000c1', 'int_00000000000000c2']]);
    expect(Decimal.parse(String((sold[0] as unknown as Record<string, unknown>)['realized_pnl'])).toString()).toBe(realized.toString());

    const store = StateStore.open({ dataDir });
    expect(store.dailyPnl('2022-01-03', 'USD')?.realizedPnl.toString()).toBe(realized.toString());
    expect(store.dailyPnl('2022-01-05', 'USD')).toBeUndefined();
    store.close();
  }, 60_000);
});
