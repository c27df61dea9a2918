import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs, type ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperSession, type PaperRunResult } from './paper-session.js';

const available = sharedDataAvailable();

/** The first 3,400 minutes of the real altcoin candles: the first fill is a crumb, the first sale comes at minute 3,285. */
const BARS = 3400;

const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];
const text = (line: AnyEventLine | undefined, name: string): string => String(f(line, name));

interface OrderRow { decision_id: string; side: string; filled_qty: string; filled_notional: string; fee_booked: string }

/**
 * The real UNITTEST candles relabelled UNITTEST/USD (as the bot suggests for the altcoin file):
 * prices near 0.0016 USD and volumes of a few units a minute, so an IOC buy of 50 USD fills a
 * crumb (1 UNITTEST, 0.0016 USD), far below the 5 USD minimum order. Before, that crumb was the
 * position for the rest of the run: its exit was refused, and already_in_position refused every
 * buy of the symbol (13,617 times over the whole file).
 */
describe.skipIf(!available)('a crumb fill below the minimum order value (real UNITTEST candles as UNITTEST/USD)', () => {
  let logs: ReadBack;
  let result: PaperRunResult;
  let lines: AnyEventLine[];
  let orders: OrderRow[];
  let balances: Map<string, string>;
  let start: Decimal;

  beforeAll(async () => {
    const dir = tempDir('tradetrace-dust-position-');
    const rows = (JSON.parse(readFileSync(ALTCOIN_JSON, 'utf8')) as unknown[]).slice(0, BARS);
    const file = join(dir, 'UNITTEST_BTC-1m.json');
    writeFileSync(file, JSON.stringify(rows));
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    start = Decimal.parse(loaded.value.config.trading.starting_quote_balance.toString());
    const recorder = new Recorder({ sessionId: 'session_20171105_000000', sink: new FileSink(logsDir) });
    const session = await PaperSession.open({
      config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [file], symbols: ['UNITTEST/USD'] }, speed: 'max',
      signals: false, watchdog: false,
    });
    result = await session.run();
    recorder.close();
    logs = await readLogs(logsDir);
    lines = [...logs.lines].sort((a, b) => a.seq - b.seq);
    const db = new Database(join(dataDir, 'state.sqlite'), { readonly: true });
    orders = db.prepare('SELECT decision_id, side, filled_qty, filled_notional, fee_booked FROM orders ORDER BY created_at, client_order_id').all() as OrderRow[];
    balances = new Map((db.prepare('SELECT asset, amount FROM balances').all() as { asset: string; amount: string }[]).map((b) => [b.asset, b.amount]));
    db.close();
  }, 120_000);

  it('fills a crumb first, then buys the symbol again on later signals: no buy is refused already_in_position for it', () => {
    expect(result.reason, JSON.stringify(result)).toBe('data_end');
    expect(logs.bad).toEqual([]);
    const buys = lines.filter((l) => l.event_type === 'BUY_FILLED');
    const crumb = buys[0];
    expect([f(crumb, 'qty'), f(crumb, 'partial')]).toEqual([1, true]);
    expect(Number(f(crumb, 'notional'))).toBeLessThan(5);
    const crumbLines = lines.filter((l) => l.decision_id === crumb?.decision_id);
    expect(crumbLines.filter((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell')).toEqual([]);
    // A held exit is told once per spell, not retried (nor logged) on every bar: a decision's
    // position has a second spell only after a sell was tried (a partial IOC sale leaves dust again).
    const held = lines.filter((l) => l.event_type === 'EXIT_BLOCKED');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((l) => f(l, 'refused_by') === 'pre_check')).toBe(true);
    for (const id of new Set(held.map((l) => l.decision_id))) {
      const spells = held.filter((l) => l.decision_id === id).length;
      const tried = lines.filter((l) => l.event_type === 'EXIT_TRIGGERED' && l.decision_id === id).length;
      expect([id, spells]).toEqual([id, Math.min(spells, 1 + tried)]);
    }
    expect(lines.filter((l) => l.event_type === 'BUY_BLOCKED' && f(l, 'guard') === 'already_in_position')).toEqual([]);
    // The next signal buys again, into the crumb, and says so in its decision; the crumb's decision is told where it went.
    const next = buys[1];
    expect(next?.decision_id).not.toBe(crumb?.decision_id);
    const said = lines.find((l) => l.event_type === 'LOG' && l.decision_id === next?.decision_id);
    expect(text(said, 'message')).toMatch(new RegExp(`^UNITTEST/USD holds a remainder of 1 UNITTEST \\(${crumb?.decision_id ?? ''}\\) worth 0\\.001\\d+ USD, which no order can sell .*this buy goes ahead, adds to it`));
    expect(said?.seq).toBeLessThan(lines.find((l) => l.event_type === 'BUY_ORDER' && l.decision_id === next?.decision_id)?.seq ?? 0);
    const merged = crumbLines.find((l) => l.event_type === 'LOG');
    expect(text(merged, 'message')).toBe(`the remainder of 1 UNITTEST of this decision, which no order could sell, was merged into the position bought by ${next?.decision_id ?? ''} (now ${1 + Number(f(next, 'qty'))} UNITTEST); that decision's exit sells it`);
    expect(buys.length).toBeGreaterThan(50);
  });

  it('sells the crumb with the rest once the merged position is worth the minimum: the sell is for every unit bought, under the last buy\'s decision', () => {
    const sold = lines.find((l) => l.event_type === 'SELL_FILLED');
    expect(sold, 'a sale within the first 3,400 minutes').toBeDefined();
    const boughtBefore = lines.filter((l) => l.event_type === 'BUY_FILLED' && l.seq < (sold?.seq ?? 0));
    const lastBuy = boughtBefore.at(-1);
    expect(sold?.decision_id).toBe(lastBuy?.decision_id);
    const held = boughtBefore.reduce((sum, l) => sum + Number(f(l, 'qty')), 0);
    const sell = lines.find((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell');
    const triggered = lines.find((l) => l.event_type === 'EXIT_TRIGGERED');
    // The order carries the whole position, the first crumb included (the thin market fills a part of it).
    expect([f(triggered, 'qty'), f(sell, 'qty')]).toEqual([held, held]);
    expect(Number(f(sell, 'notional'))).toBeGreaterThanOrEqual(5);
    expect(triggered?.decision_id).toBe(lastBuy?.decision_id);
  });

  it('keeps the books exact: the quote balance is the start less every buy and fee plus every sale less its fee, the base balance what was bought less what was sold', () => {
    const sum = (side: string, pick: (o: OrderRow) => string): Decimal => orders.filter((o) => o.side === side).reduce((acc, o) => acc.add(Decimal.parse(pick(o))), Decimal.ZERO);
    const quote = start
      .sub(sum('buy', (o) => o.filled_notional)).sub(sum('buy', (o) => o.fee_booked))
      .add(sum('sell', (o) => o.filled_notional)).sub(sum('sell', (o) => o.fee_booked));
    expect(balances.get('USD')).toBe(quote.toString());
    const base = sum('buy', (o) => o.filled_qty).sub(sum('sell', (o) => o.filled_qty));
    expect(Decimal.parse(balances.get('UNITTEST') ?? '0').toString()).toBe(base.toString());
  });
});
