import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { restingBuy, restingCanceled, restingFill, restingReconciled } from './testing/resting-order.js';
import { SessionWriter } from './testing/session-writer.js';

// A GTC buy rests on the exchange and fills over many look-ups of the order watcher: one ORDER_FILLED
// per look-up, each with the order's totals so far (partial: true while less than its quantity). Until
// a fill of the whole quantity, a cancel or expiry, or a restart that finds it closed, the intent has
// no final state: it is open, partly filled, and what it bought is its last fill line's total.
describe('orders and trace: an order that filled in part and still rests on the exchange', () => {
  const dir = tempDir('tt-orders-partly-filled-');
  const A = 'session_20251030_090000';
  const B = 'session_20251030_100000';
  const s = new SessionWriter({ dataDir: dir, sessionId: A, start: new Date('2025-10-30T09:00:00.000Z'), config: BASE_CONFIG });
  const px = '0.00160265';
  const open = restingBuy(s.tick(60_000), { decisionId: 'dec_20251030_090100_a00001', intentId: 'int_00000000000a0001', symbol: 'UNITTEST/BTC', price: px, qty: '31167' });
  for (const total of ['13', '14', '24', '2140']) restingFill(s.tick(60_000), open, total);
  const expired = restingBuy(s.tick(60_000), { decisionId: 'dec_20251030_090600_a00002', intentId: 'int_00000000000a0002', symbol: 'UNITTEST/BTC', price: px, qty: '100' });
  restingFill(s.tick(60_000), expired, '5');
  restingFill(s.tick(60_000), expired, '8');
  restingCanceled(s.tick(60_000), expired, 'gtc_expired');
  const whole = restingBuy(s.tick(60_000), { decisionId: 'dec_20251030_091000_a00003', intentId: 'int_00000000000a0003', symbol: 'UNITTEST/BTC', price: px, qty: '40' });
  restingFill(s.tick(60_000), whole, '10');
  restingFill(s.tick(60_000), whole, '40');
  const ioc = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  const keptOpen = restingBuy(s.tick(60_000), { decisionId: 'dec_20251030_091400_a00004', intentId: 'int_00000000000a0004', symbol: 'UNITTEST/BTC', price: px, qty: '10' });
  restingFill(s.tick(60_000), keptOpen, '3');
  const closedAtRestart = restingBuy(s.tick(60_000), { decisionId: 'dec_20251030_091600_a00005', intentId: 'int_00000000000a0005', symbol: 'UNITTEST/BTC', price: px, qty: '10' });
  restingFill(s.tick(60_000), closedAtRestart, '2');
  s.tick(1000).end('signal', 0);
  const restart = new SessionWriter({ dataDir: dir, sessionId: B, start: new Date('2025-10-30T10:00:00.000Z'), config: BASE_CONFIG });
  restingReconciled(restart.tick(100), keptOpen, 'still_open');
  restingReconciled(restart.tick(100), closedAtRestart, 'canceled');
  restart.tick(1000).end('signal', 0);

  const intentLines = (ids: readonly string[]) =>
    readFileSync(join(dir, 'logs', 'orders.jsonl'), 'utf8').split('\n').filter((l) => ids.some((id) => l.includes(`"intent_id":"${id}"`)));

  it('sessions counts a partly filled order still open apart from the fills, so it agrees with orders and with the bot\'s summary', async () => {
    const text = await runQuery(['sessions', '--data-dir', dir]);
    expect([text.code, text.stderr]).toEqual([0, '']);
    // A: four intents ended filled, two still rest partly filled. B reconciled one of each, booking
    // nothing (one still open, one closed with nothing more filled): they are A's, which booked their
    // fills, counted once (B counted them again, and the sessions' fills added up to more than the fills).
    expect(text.stdout).toContain('fills 4 (+2 partly filled, order still open)  failures 0\n');
    expect(text.stdout).toContain('decisions 0  fills 0  failures 0\n');
    const json = await runQuery(['sessions', '--data-dir', dir, '--json']);
    const rows = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { sessionId: string; fills: number; partlyFilled: number });
    expect(rows.map((row) => [row.sessionId, row.fills, row.partlyFilled])).toEqual([[A, 4, 2], [B, 0, 0]]);
  });

  it('counts a partly filled order still open as open, and the ended ones by their final verdict', async () => {
    const r = await runQuery(['orders', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^6 order intents: 4 filled, 0 failed, 0 canceled, 2 without a final state, 2 of them partly filled \(order still open\) \(1 settled by restart reconciliation\)\n/);
    expect(r.stdout).toContain(`${open.intentId}  buy UNITTEST/BTC  PARTLY FILLED 2140 of 31167 so far (order still open)  1 attempt  decision ${open.decisionId}`);
    expect(r.stdout).toContain(`${keptOpen.intentId}  buy UNITTEST/BTC  PARTLY FILLED 3 of 10 so far (order still open)  1 attempt`);
    expect(r.stdout).toContain(`${expired.intentId}  buy UNITTEST/BTC  FILLED  1 attempt`);
    expect(r.stdout).toContain(`${whole.intentId}  buy UNITTEST/BTC  FILLED  1 attempt`);
    expect(r.stdout).toContain(`${ioc.intentId}  buy BTC/USDT  FILLED  1 attempt`);
    expect(r.stdout).toContain(`${closedAtRestart.intentId}  buy UNITTEST/BTC  FILLED  1 attempt`);
    // What each bought in all: the last fill line's totals, not the first's.
    expect(r.stdout).toContain(`\n    filled 8 of 100 at ${px} on average (the order's totals on the last of its 2 fill lines)\n`);
    expect(r.stdout).toContain(`\n    filled 40 at ${px} on average (the order's totals on the last of its 2 fill lines)\n`);
    // Many fill lines: the first and the last, the count between.
    expect(r.stdout).toContain(`      -> FILLED 13 at ${px}, fee 0.013 UNITTEST (partial)\n      -> ... 2 more fills, each with the order's totals so far ...\n      -> FILLED 2140 at ${px}, fee 2.14 UNITTEST (partial)\n`);
    expect(r.stdout).toContain(`reconciled on restart in ${B} (placed in ${A})`);
  });

  it('--status open lists the partly filled orders still open, --status filled the ones that ended', async () => {
    const openOnes = await runQuery(['orders', '--status', 'open', '--data-dir', dir]);
    expect([openOnes.code, openOnes.stderr]).toEqual([0, '']);
    expect(openOnes.stdout).toMatch(/^2 order intents: 0 filled, 0 failed, 0 canceled, 2 without a final state, 2 of them partly filled \(order still open\)\n/);
    expect(openOnes.stdout).toContain(open.intentId);
    expect(openOnes.stdout).toContain(keptOpen.intentId);
    const filled = await runQuery(['orders', '--status', 'filled', '--data-dir', dir]);
    expect(filled.stdout).toMatch(/^4 order intents: 4 filled, 0 failed, 0 canceled, 0 without a final state \(1 settled by restart reconciliation\)\n/);
    expect(filled.stdout).not.toContain(open.intentId);
    expect(filled.stdout).not.toContain(keptOpen.intentId);
    const one = await runQuery(['orders', '--intent', open.intentId, '--status', 'open', '--data-dir', dir]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('PARTLY FILLED 2140 of 31167 so far (order still open)');
  });

  it('--json --status open prints each partly filled open intent whole, and --status filled none of them', async () => {
    const r = await runQuery(['orders', '--status', 'open', '--json', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(intentLines([open.intentId, keptOpen.intentId]));
    const filled = await runQuery(['orders', '--status', 'filled', '--json', '--data-dir', dir]);
    expect(filled.stdout).not.toContain(open.intentId);
    expect(filled.stdout).not.toContain(keptOpen.intentId);
    expect(filled.stdout.trim().split('\n')).toHaveLength(intentLines([expired.intentId, whole.intentId, ioc.intentId, closedAtRestart.intentId]).length);
  });

  it('trace: the headline says how much of the order filled so far, or in all, from its last fill line', async () => {
    for (const mode of [[], ['--no-index']]) {
      const still = await runQuery(['trace', open.decisionId, '--data-dir', dir, ...mode]);
      expect([still.code, still.stderr], mode.join(' ')).toEqual([0, '']);
      expect(still.stdout).toContain(`\nPARTLY FILLED 2140 of 31167 so far (order still open): bought 2140 UNITTEST/BTC at ${px} on average; the position is still open (no SELL_FILLED)\n`);
      const kept = await runQuery(['trace', keptOpen.decisionId, '--data-dir', dir, ...mode]);
      expect(kept.stdout).toContain(`\nPARTLY FILLED 3 of 10 so far (order still open): bought 3 UNITTEST/BTC at ${px} on average;`);
      const ended = await runQuery(['trace', expired.decisionId, '--data-dir', dir, ...mode]);
      expect(ended.stdout).toContain(`\nFILLED: bought 8 UNITTEST/BTC at ${px} (of 100 ordered, the rest gtc_expired); the position is still open (no SELL_FILLED)\n`);
      const full = await runQuery(['trace', whole.decisionId, '--data-dir', dir, ...mode]);
      expect(full.stdout).toContain(`\nFILLED: bought 40 UNITTEST/BTC at ${px}; the position is still open (no SELL_FILLED)\n`);
      const closed = await runQuery(['trace', closedAtRestart.decisionId, '--data-dir', dir, ...mode]);
      expect(closed.stdout).toContain(`\nFILLED: bought 2 UNITTEST/BTC at ${px} (of 10 ordered, the rest canceled (restart reconciliation in ${B} found it)); the position is still open`);
    }
  });

  it('sessions counts as fills the intents orders --session calls filled', async () => {
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect(sessions.stdout).toContain('fills 4 (+2 partly filled, order still open)  failures 0\n');
    const placed = await runQuery(['orders', '--session', A, '--data-dir', dir]);
    expect(placed.stdout).toMatch(/^6 order intents: 4 filled, /);
  });
});
