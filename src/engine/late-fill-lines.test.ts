import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PAPER_EXCHANGE_FILE, PaperSession } from './paper-session.js';

const available = sharedDataAvailable();
const ZERO = Decimal.ZERO;
const field = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];
const dec = (line: AnyEventLine, name: string): Decimal => Decimal.parse(String(field(line, name)));

interface ExchangeRow {
  readonly client_order_id: string;
  readonly side: 'buy' | 'sell';
  readonly filled_qty: string;
  readonly filled_notional: string;
  readonly fee: string;
  readonly updated_at: number;
  readonly status: string;
}

interface Books {
  /** Exchange orders by the intent that placed them (from the state's orders). */
  readonly byIntent: Map<string, ExchangeRow[]>;
  readonly exchangeOrders: ExchangeRow[];
  readonly exchangeBalances: Map<string, Decimal>;
  readonly stateBalances: Map<string, Decimal>;
  readonly stateNotional: Map<string, string>;
  readonly openedAt: Map<string, number>;
}

function readBooks(dataDir: string): Books {
  const ex = new Database(join(dataDir, PAPER_EXCHANGE_FILE), { readonly: true });
  const st = new Database(join(dataDir, 'state.sqlite'), { readonly: true });
  try {
    const exchangeOrders = ex.prepare('SELECT client_order_id, side, filled_qty, filled_notional, fee, updated_at, status FROM orders').all() as ExchangeRow[];
    const intentOf = new Map((st.prepare('SELECT client_order_id, intent_id FROM orders').all() as { client_order_id: string; intent_id: string }[]).map((r) => [r.client_order_id, r.intent_id]));
    const byIntent = new Map<string, ExchangeRow[]>();
    for (const o of exchangeOrders) {
      const intent = intentOf.get(o.client_order_id) ?? '';
      byIntent.set(intent, [...(byIntent.get(intent) ?? []), o]);
    }
    const exchangeBalances = new Map((ex.prepare('SELECT asset, free, locked FROM balances').all() as { asset: string; free: string; locked: string }[]).map((r) => [r.asset, Decimal.parse(r.free).add(Decimal.parse(r.locked))]));
    const stateBalances = new Map((st.prepare('SELECT asset, amount FROM balances').all() as { asset: string; amount: string }[]).map((r) => [r.asset, Decimal.parse(r.amount)]));
    const stateNotional = new Map((st.prepare('SELECT client_order_id, filled_notional FROM orders').all() as { client_order_id: string; filled_notional: string }[]).map((r) => [r.client_order_id, r.filled_notional]));
    const openedAt = new Map((st.prepare('SELECT decision_id, opened_at FROM positions').all() as { decision_id: string; opened_at: number }[]).map((r) => [r.decision_id, r.opened_at]));
    return { byIntent, exchangeOrders, exchangeBalances, stateBalances, stateNotional, openedAt };
  } finally {
    ex.close();
    st.close();
  }
}

const sum = (values: readonly Decimal[]): Decimal => values.reduce((a, b) => a.add(b), ZERO);

/**
 * The audit's session: GTC orders on the altcoin market rest and fill over several bars at several
 * prices, so fills are found late, one increment per look-up.
 */
describe.skipIf(!available)('fills of resting GTC orders found over several bars (real UNITTEST/BTC candles)', () => {
  let lines: AnyEventLine[];
  let books: Books;
  /** What SESSION_END reports as buys_filled and sells_filled (the CLI writes it from these). */
  let counted: { buys: number; sells: number };

  beforeAll(async () => {
    const dataDir = tempDir('tradetrace-late-fill-lines-');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({
      sets: ['trading.quote_currency=BTC', 'execution.tif=GTC', 'paper_exchange.maker_fee_bps=2', 'execution.quote_budget=0.05', 'trading.starting_quote_balance=1'],
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const recorder = new Recorder({ sessionId: 'session_20171105_000000', sink: new FileSink(logsDir) });
    const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [ALTCOIN_JSON] }, speed: 'max', signals: false, watchdog: false });
    const result = await session.run();
    counted = { buys: session.stats.buys, sells: session.stats.sells };
    recorder.close();
    expect(result.reason).toBe('data_end');
    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    lines = logs.lines;
    books = readBooks(dataDir);
  }, 120_000);

  const linesOf = (type: string) => lines.filter((l) => l.event_type === type);

  it('BUY_FILLED and SELL_FILLED lines carry increments: per intent their qty, fee and notional add up to what the exchange filled and charged', () => {
    for (const type of ['BUY_FILLED', 'SELL_FILLED']) {
      const byIntent = new Map<string, AnyEventLine[]>();
      for (const l of linesOf(type)) byIntent.set(l.intent_id ?? '', [...(byIntent.get(l.intent_id ?? '') ?? []), l]);
      expect([...byIntent.values()].filter((ls) => ls.length > 1).length, `${type}: some orders fill in several increments`).toBeGreaterThan(10);
      const wrong: string[] = [];
      for (const [intent, ls] of byIntent) {
        const orders = books.byIntent.get(intent) ?? [];
        const qty = sum(orders.map((o) => Decimal.parse(o.filled_qty)));
        const fee = sum(orders.map((o) => Decimal.parse(o.fee)));
        const notional = sum(orders.map((o) => Decimal.parse(o.filled_notional)));
        const logged = { qty: sum(ls.map((l) => dec(l, 'qty'))), fee: sum(ls.map((l) => dec(l, 'fee'))), notional: sum(ls.map((l) => dec(l, 'qty').mul(dec(l, 'avg_px')))) };
        // avg_px is rounded to 18 places, so qty x avg_px may miss the exact notional by that rounding only.
        const notionalOff = logged.notional.sub(notional).abs().gt(Decimal.parse('1e-15'));
        if (!logged.qty.eq(qty) || !logged.fee.eq(fee) || notionalOff) {
          wrong.push(`${intent}: lines ${logged.qty.toString()} / ${logged.fee.toString()} / ${logged.notional.toString()} exchange ${qty.toString()} / ${fee.toString()} / ${notional.toString()}`);
        }
      }
      expect(wrong, type).toEqual([]);
    }
  });

  it('logs no fill twice, and the session counts each filled order once, however many increments it filled in', () => {
    const seen = new Set<string>();
    const repeated: string[] = [];
    for (const l of linesOf('ORDER_FILLED')) {
      const key = `${String(field(l, 'client_order_id'))} ${String(field(l, 'filled_qty'))}`;
      if (seen.has(key)) repeated.push(key);
      seen.add(key);
    }
    expect(repeated, 'ORDER_FILLED lines reporting no new fill').toEqual([]);
    const filled = (side: string) => books.exchangeOrders.filter((o) => o.side === side && Decimal.parse(o.filled_qty).isPositive()).length;
    expect(filled('buy')).toBeGreaterThan(100);
    expect(counted).toEqual({ buys: filled('buy'), sells: filled('sell') });
  });

  it('books exactly what the exchange moved: balances and each order\'s notional equal the exchange\'s, to the last digit', () => {
    expect([...books.stateBalances].map(([a, v]) => [a, v.toString()])).toEqual([...books.stateBalances.keys()].map((a) => [a, (books.exchangeBalances.get(a) ?? ZERO).toString()]));
    const drift = books.exchangeOrders.filter((o) => !Decimal.parse(books.stateNotional.get(o.client_order_id) ?? '0').eq(Decimal.parse(o.filled_notional)));
    expect(drift.map((o) => `${o.client_order_id} state ${books.stateNotional.get(o.client_order_id) ?? '-'} exchange ${o.filled_notional}`)).toEqual([]);
  });

  it('an order\'s last SELL_FILLED holds the position from its opening to the exchange\'s last fill of the order', () => {
    const lastLine = new Map<string, AnyEventLine>();
    for (const l of linesOf('SELL_FILLED')) lastLine.set(l.intent_id ?? '', l);
    const wrong: string[] = [];
    for (const [intent, l] of lastLine) {
      const sold = (books.byIntent.get(intent) ?? []).filter((o) => Decimal.parse(o.filled_qty).isPositive());
      // A take-profit sell a stop canceled after its last fill was last updated by the cancel, not by a fill.
      if (sold.some((o) => o.status === 'canceled')) continue;
      const lastFill = Math.max(...sold.map((o) => o.updated_at));
      const opened = books.openedAt.get(l.decision_id ?? '') ?? Number.NaN;
      const expected = Math.round((lastFill - opened) / 1000);
      if (field(l, 'holding_s') !== expected) wrong.push(`${intent}: holding_s ${String(field(l, 'holding_s'))}, opened ${opened} last fill ${lastFill} -> ${expected}`);
    }
    expect(lastLine.size).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});
