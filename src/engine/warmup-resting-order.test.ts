import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadBars } from '../../test/support/load-bars.js';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { engineRig } from './__fixtures__/engine-rig.js';
import { paperMarketFor } from './paper-markets.js';
import { PAPER_EXCHANGE_FILE, PaperSession } from './paper-session.js';

const available = sharedDataAvailable();
const MINUTE = 60_000;
/**
 * The first session's file ends here: the strategy's first buy, a GTC limit above the market placed
 * on the close of bar 50, found no liquidity on that bar and rests; bars 0-50 trade below its limit.
 */
const FIRST_BARS = 51;
const SECOND_BARS = 200;

type RawBar = [number, number, number, number, number, number];

interface OrderRow {
  readonly client_order_id: string;
  readonly side: string;
  readonly limit_px: string | null;
  readonly status: string;
  readonly filled_qty: string;
  readonly created_at: number;
  readonly updated_at: number;
}

function ordersIn(dataDir: string): OrderRow[] {
  const db = new Database(join(dataDir, PAPER_EXCHANGE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT client_order_id, side, limit_px, status, filled_qty, created_at, updated_at FROM orders ORDER BY seq').all() as OrderRow[];
  } finally {
    db.close();
  }
}

function altConfig() {
  const loaded = loadConfig({
    sets: ['trading.quote_currency=BTC', 'execution.tif=GTC', 'execution.quote_budget=0.05', 'trading.starting_quote_balance=1'],
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.value.config;
}

async function runSession(dataDir: string, file: string, sessionId: string): Promise<void> {
  const logsDir = join(dataDir, 'logs');
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({
    config: altConfig(), recorder, dataDir, logsDir, feed: { kind: 'replay', files: [file] }, speed: 'max', signals: false, watchdog: false,
  });
  const result = await session.run();
  recorder.close();
  expect(result.reason, JSON.stringify(result)).toBe('data_end');
}

describe.skipIf(!available)('a session restarted with a resting GTC order (real UNITTEST/BTC candles)', () => {
  it('replays the bars before the restart only to warm up: the order fills on the first crossing bar after it was placed, not on history', async () => {
    const dir = tempDir('tradetrace-warmup-resting-');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const raw = JSON.parse(readFileSync(ALTCOIN_JSON, 'utf8')) as RawBar[];
    // The same file, grown between the sessions, as a candle file being appended to would be.
    const file = join(dir, 'UNITTEST_BTC-1m.json');
    writeFileSync(file, JSON.stringify(raw.slice(0, FIRST_BARS)));
    await runSession(dataDir, file, 'session_20171105_000000');

    const resting = ordersIn(dataDir).filter((o) => o.status === 'submitted' || o.status === 'partially_filled');
    expect(resting.map((o) => o.side), 'the first session leaves one buy resting at the end of its data').toEqual(['buy']);
    const order = resting[0]!;
    const limit = Decimal.parse(order.limit_px ?? '');
    const opens = raw.map((r) => r[0]);
    const crossesBelow = (r: RawBar): boolean => Decimal.from(r[3]).lt(limit);
    // What makes the restart dangerous: the warm-up replays bars that trade through the limit.
    expect(raw.slice(0, FIRST_BARS).some((r) => r[0] < order.created_at && crossesBelow(r)), 'history crosses the limit').toBe(true);
    const firstCross = raw.findIndex((r) => r[0] >= order.created_at && crossesBelow(r));
    expect(firstCross, 'the first bar after the order that trades through it comes after the first session').toBeGreaterThanOrEqual(FIRST_BARS);

    writeFileSync(file, JSON.stringify(raw.slice(0, SECOND_BARS)));
    await runSession(dataDir, file, 'session_20171105_010000');

    const after = ordersIn(dataDir);
    const same = after.find((o) => o.client_order_id === order.client_order_id);
    expect(same?.created_at).toBe(order.created_at);
    // A fill is booked at the close of the bar it happened on: not before that first crossing bar.
    expect(same!.updated_at, `filled at ${new Date(same!.updated_at).toISOString()}`).toBeGreaterThanOrEqual((opens[firstCross] ?? Number.NaN) + MINUTE);
    expect(same!.filled_qty).not.toBe('0');
    expect(after.filter((o) => o.updated_at < o.created_at).map((o) => o.client_order_id), 'orders changed before they existed').toEqual([]);

    // The bot books the fill in the second session, when the exchange made it.
    const logs = await readLogs(join(dataDir, 'logs'));
    expect(logs.bad).toEqual([]);
    const fills = logs.lines.filter((l) => l.event_type === 'ORDER_FILLED' && (l as unknown as Record<string, unknown>)['client_order_id'] === order.client_order_id);
    expect(fills.map((l) => l.session_id)).not.toContain('session_20171105_000000');
  }, 120_000);
});

describe.skipIf(!available)('the engine on a resumed replay (real UNITTEST/BTC candles)', () => {
  it('tells the paper exchange only the bars it decides: the warm-up bars are history, the first bar after them is the market', async () => {
    const config = altConfig();
    const bars = (await loadBars(ALTCOIN_JSON)).slice(0, 60);
    const first = bars[0]!;
    const spec = paperMarketFor(first.symbol, { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps }, first.close);
    const told: number[] = [];
    const decidedUntil = bars[50]!.openTime + MINUTE;
    const rig = engineRig({
      config, spec, dataDir: join(tempDir('tradetrace-warmup-engine-'), 'data'), sessionId: 'session_20171105_020000', firstOpen: first.openTime,
      resumeAfter: new Map([[first.symbol, decidedUntil]]), onCandle: (_symbol, candle) => told.push(candle.openTime),
    });
    const { engine } = rig;
    try {
      await rig.feed(bars);
    } finally {
      rig.close();
    }
    expect(engine.warmedBars).toBe(51);
    expect(told).toEqual(bars.slice(51).map((b) => b.openTime));
    // The first candle told opens where the decided bars end: an order placed on the last of them is
    // matched from the very next bar on, none skipped.
    expect(told[0]).toBe(decidedUntil);
  });
});
