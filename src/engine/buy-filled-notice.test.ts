import { beforeAll, describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, sharedDataAvailable } from '../../test/support/shared-data.js';
import { replayToEnd } from './__fixtures__/replay-session.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';

const available = sharedDataAvailable();
const field = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];
const dataOf = (line: AnyEventLine): Record<string, unknown> => (field(line, 'data') ?? {}) as Record<string, unknown>;

/**
 * GTC buys on the altcoin market rest and fill in parts over several bars: the order watcher finds
 * each part on a later look-up. The dashboard is told of such a buy once, when its order settles.
 */
describe.skipIf(!available)('the dashboard notice of a GTC buy filling in parts (real UNITTEST/BTC candles)', () => {
  let lines: AnyEventLine[];
  let notices: AnyEventLine[];

  beforeAll(async () => {
    const { logs } = await replayToEnd(tempDir('tradetrace-buy-filled-notice-'), [ALTCOIN_JSON], [
      'trading.quote_currency=BTC', 'execution.tif=GTC', 'execution.quote_budget=0.05', 'trading.starting_quote_balance=1',
    ], { sessionId: 'session_20171105_000000' });
    lines = logs.lines;
    notices = lines.filter((l) => l.event_type === 'DASH_EVENT' && field(l, 'dashboard_event_type') === 'BUY_FILLED');
  }, 120_000);

  const lateNotices = () => notices.filter((l) => String(field(l, 'source')).startsWith('src/engine/order-watcher.ts'));

  it('fills found late are notified once per order, never once per part', () => {
    const partsFoundLate = lines.filter((l) => l.event_type === 'ORDER_FILLED' && field(l, 'side') === 'buy' && field(l, 'partial') === true);
    expect(partsFoundLate.length, 'the session has buys filling in parts').toBeGreaterThan(20);
    const perIntent = new Map<string, number>();
    for (const l of lateNotices()) perIntent.set(l.intent_id ?? '', (perIntent.get(l.intent_id ?? '') ?? 0) + 1);
    expect(lateNotices().length).toBeGreaterThan(20);
    expect([...perIntent].filter(([, n]) => n > 1)).toEqual([]);
  });

  it('never shows the same notice twice for one order', () => {
    const seen = new Map<string, number>();
    for (const l of notices) {
      const key = `${l.intent_id ?? ''} ${String(field(l, 'message'))}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
  });

  it('the notice tells the whole order (filled of requested) and says when the rest was not filled', () => {
    const boughtPerIntent = new Map<string, Decimal>();
    for (const l of lines.filter((x) => x.event_type === 'BUY_FILLED')) {
      boughtPerIntent.set(l.intent_id ?? '', (boughtPerIntent.get(l.intent_id ?? '') ?? Decimal.ZERO).add(Decimal.parse(String(field(l, 'qty')))));
    }
    for (const l of lateNotices()) {
      const data = dataOf(l);
      const message = String(field(l, 'message'));
      expect(data['intent_id']).toBe(l.intent_id);
      expect(Decimal.parse(String(data['qty'])).eq(boughtPerIntent.get(l.intent_id ?? '') ?? Decimal.ZERO), message).toBe(true);
      expect(message).toContain(`${String(data['qty'])} of ${String(data['requested_qty'])}`);
      expect(message).toContain(data['partial'] === true ? 'partly filled' : 'filled late');
    }
    // Every buy that bought anything was told on the dashboard (no order of this data still rests at its end).
    const told = new Set(notices.map((l) => l.intent_id));
    expect([...boughtPerIntent.keys()].filter((intent) => !told.has(intent))).toEqual([]);
  });
});
