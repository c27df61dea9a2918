import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { restingBuy, restingFill, restingReconciled } from './testing/resting-order.js';
import { SessionWriter } from './testing/session-writer.js';

// `orders --since` reads the orders files from an hour before the window, for the intents in flight
// at its edge. A GTC buy placed at 09:01 that a restart at 11:00 found canceled has its one line in
// a window from 10:30: its ORDER_CONTEXT lies before what was read, so it is listed from its
// reconciliation alone. That listing must say so, and name the command that shows it whole.
describe('orders --since: an intent that began before the hour read ahead of the window', () => {
  const dir = tempDir('tt-orders-started-earlier-');
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251030_090000', start: new Date('2025-10-30T09:00:00.000Z'), config: BASE_CONFIG });
  const resting = restingBuy(s.tick(60_000), { decisionId: 'dec_20251030_090100_b00001', intentId: 'int_00000000000b0001', symbol: 'UNITTEST/BTC', price: '0.00160265', qty: '100' });
  restingFill(s.tick(60_000), resting, '5');
  s.tick(1000).end('signal', 0);
  const restart = new SessionWriter({ dataDir: dir, sessionId: 'session_20251030_110000', start: new Date('2025-10-30T11:00:00.000Z'), config: BASE_CONFIG });
  restingReconciled(restart.tick(100), resting, 'canceled');
  restart.tick(1000).end('signal', 0);

  it('says the intent is listed from its later lines only, and how to see it whole', async () => {
    const r = await runQuery(['orders', '--since', '2025-10-30T10:30:00Z', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(resting.intentId);
    expect(r.stderr).toContain(`tradetrace orders: 1 intent began more than 1h 00m before --since 2025-10-30 10:30:00.000Z (no ORDER_CONTEXT read for it): listed from its later lines only; \`tradetrace orders --intent ${resting.intentId}\` shows it whole\n`);
  });

  it('the command it names shows the intent whole, with its attempt', async () => {
    const r = await runQuery(['orders', '--intent', resting.intentId, '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('1 attempt');
  });

  it('says nothing of the kind when the hour read ahead holds the ORDER_CONTEXT', async () => {
    const r = await runQuery(['orders', '--since', '2025-10-30T09:30:00Z', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('began more than');
  });
});
