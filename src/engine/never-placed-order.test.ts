import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperSession } from './paper-session.js';

const available = sharedDataAvailable();
const field = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

/**
 * Attempts that time out may or may not have reached the exchange (the paper exchange's injected
 * faults decide, seeded): the order is `unknown` until the watcher asks. Those the exchange never
 * got come back not_found; the record must say so, in the order's own decision and intent.
 */
describe.skipIf(!available)('an order whose attempt timed out and that the exchange never got (real BTC-PERP candles, seeded faults)', () => {
  let lines: AnyEventLine[];
  let neverPlaced: { client_order_id: string; intent_id: string; decision_id: string }[];

  beforeAll(async () => {
    const dataDir = tempDir('tradetrace-never-placed-');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({
      sets: ['trading.quote_currency=USD', 'paper_exchange.fault_timeout=0.3', 'paper_exchange.fault_reject=0.2', 'paper_exchange.fault_network=0.1', 'paper_exchange.seed=7'],
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const recorder = new Recorder({ sessionId: 'session_20220101_000000', sink: new FileSink(logsDir) });
    const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [BTC_PERP_CSV] }, speed: 'max', signals: false, watchdog: false });
    await session.run();
    recorder.close();
    lines = (await readLogs(logsDir)).lines;
    const db = new Database(join(dataDir, 'state.sqlite'), { readonly: true });
    let notFound: typeof neverPlaced;
    try {
      notFound = db.prepare("SELECT client_order_id, intent_id, decision_id FROM orders WHERE status = 'not_found'").all() as typeof neverPlaced;
    } finally {
      db.close();
    }
    // The router's own look-ups find most of them while it still works on the intent, and its
    // ORDER_RETRY or ORDER_FAILED says so ("<id> not found on the exchange"); the others were found
    // by the watcher on a later bar, after the router had given up on the order.
    const routerSaid = (clientOrderId: string): boolean =>
      lines.some((l) => (l.event_type === 'ORDER_RETRY' || l.event_type === 'ORDER_FAILED') && String(field(l, 'message')).includes(`${clientOrderId} not found`));
    neverPlaced = notFound.filter((o) => !routerSaid(o.client_order_id));
  }, 240_000);

  it('has some (the faults make them)', () => {
    expect(neverPlaced.length).toBeGreaterThan(0);
  });

  it('says of each, in its decision and intent, that the exchange has no such order and it was never placed', () => {
    for (const order of neverPlaced) {
      const said = lines.filter((l) => l.event_type === 'LOG' && (field(l, 'data') as { client_order_id?: string } | undefined)?.client_order_id === order.client_order_id);
      expect(said, order.client_order_id).toHaveLength(1);
      expect(said[0]).toMatchObject({ level: 'warn', component: 'OrderWatcher', decision_id: order.decision_id, intent_id: order.intent_id, data: { previous_status: 'unknown', status: 'not_found' } });
      expect(String(field(said[0] as AnyEventLine, 'message'))).toContain('it was never placed');
    }
  });

  // These are the session's own orders: their router's ORDER_FAILED (timeout_exhausted) is the
  // intent's verdict and stands. Only an order a killed session left gets ORDER_RECONCILED from the
  // watcher (see order-watcher-inherited.test.ts); one here would count as restart reconciliation.
  it('writes no ORDER_RECONCILED for them: the router\'s failure of the intent stands', () => {
    const ids = new Set(neverPlaced.map((o) => o.client_order_id));
    expect(lines.filter((l) => l.event_type === 'ORDER_RECONCILED' && ids.has(String(field(l, 'client_order_id'))))).toEqual([]);
    for (const order of neverPlaced) {
      expect(lines.some((l) => l.event_type === 'ORDER_FAILED' && l.intent_id === order.intent_id && field(l, 'reason') === 'timeout_exhausted'), order.intent_id).toBe(true);
    }
  });
});
