import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { btcPerpSlice, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { killedHoldingTheFirstBuy, runReplaySession, runReplaySessionLeavingOpen } from './__fixtures__/replay-session.js';

const available = sharedDataAvailable();
const KILLED = 'session_20220101_000000';
const RESTART = 'session_20220101_000100';
const d = (text: string): Decimal => Decimal.parse(text);

describe.skipIf(!available)('a restart after a kill that cut an order before its first ORDER_CONTEXT', () => {
  it("closes a buy intent whose BUY_ORDER was written (decision log) but not its ORDER_CONTEXT (order log) with ORDER_RECONCILED not_found, never sent", async () => {
    const dir = tempDir('tradetrace-cut-buy-');
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    // Bars 23:01..23:33; the engine buys on the bar of 23:34 (ema_cross_up at 46476), its first buy.
    const killed = await runReplaySessionLeavingOpen(dataDir, btcPerpSlice(dir, 'to-2333.csv', 33), KILLED);
    // What a kill between the two writes leaves: the decision log ends at BUY_ORDER, the order log
    // and the store hold nothing of the intent (ORDER_CONTEXT is written before the store records
    // the order and the order is sent).
    const decisionId = 'dec_20211231_233400_5c2085';
    const intentId = 'int_934ae5605472efe7';
    withDecision(decisionId, () => {
      killed.emit('DECISION_START', { symbol: 'BTC/USD', bar_ts: '2021-12-31T23:34:00.000Z', price: d('46476'), strategy: 'ema_rsi' });
      withIntent(intentId, () => killed.emit('BUY_ORDER', { symbol: 'BTC/USD', side: 'buy', qty: d('0.001'), limit_px: d('46568.5'), quote_budget: d('50'), tif: 'IOC' }));
    });
    killed.close();

    await runReplaySession(dataDir, btcPerpSlice(dir, 'to-0200.csv', 180), RESTART);
    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    const reconciled = logs.lines.filter((l) => l.event_type === 'ORDER_RECONCILED');
    expect(reconciled).toEqual([
      expect.objectContaining({
        session_id: RESTART, decision_id: decisionId, intent_id: intentId, symbol: 'BTC/USD', side: 'buy', client_order_id: `${intentId}-1`,
        outcome: 'not_found', previous_status: 'not_recorded', status: 'not_sent', level: 'warn',
        details: expect.stringContaining(`${KILLED} wrote BUY_ORDER for this intent but ended before its first ORDER_CONTEXT`) as unknown,
      }),
    ]);
    expect(logs.lines.filter((l) => l.event_type === 'RECONCILE_COMPLETE' && l.session_id === RESTART)).toEqual([
      expect.objectContaining({ checked: 1, outcomes: expect.objectContaining({ not_found: 1 }) as unknown }),
    ]);
    // The bar the cut decision was on is not decided again: its BUY_ORDER stands as the decision it was.
    const starts = logs.lines.filter((l) => l.event_type === 'DECISION_START').map((l) => String(l.bar_ts));
    expect(starts.filter((ts) => ts === '2021-12-31T23:34:00.000Z')).toHaveLength(1);
    expect(new Set(starts).size).toBe(starts.length);

    // A further restart finds the intent closed: nothing is closed twice.
    await runReplaySession(dataDir, btcPerpSlice(dir, 'to-0300.csv', 240), 'session_20220101_000200');
    const again = await readLogs(logsDir);
    expect(again.lines.filter((l) => l.event_type === 'ORDER_RECONCILED')).toHaveLength(1);
  }, 120_000);

  it("says, under the position's decision, that an exit whose EXIT_TRIGGERED was written but not its sell's ORDER_CONTEXT sent nothing; the next bar sells", async () => {
    const dir = tempDir('tradetrace-cut-exit-');
    const { killed, position, dataDir, logsDir } = await killedHoldingTheFirstBuy(dir, btcPerpSlice(dir, 'to-0523.csv', 383), KILLED);
    // A kill after EXIT_TRIGGERED (written before the bar's DECISION_START), before the sell's first
    // ORDER_CONTEXT: the sell's intent id was never written.
    withDecision(position.decisionId, () => killed.emit('EXIT_TRIGGERED', {
      symbol: 'BTC/USD', rule: 'take_profit', entry_px: position.entryPx, trigger_px: position.entryPx.mul(d('1.015')), price: d('47200'), qty: position.qty,
    }));
    killed.close();

    await runReplaySession(dataDir, btcPerpSlice(dir, 'to-0600.csv', 420), RESTART);
    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    const said = logs.lines.filter((l) => l.event_type === 'LOG' && l.session_id === RESTART && l.decision_id === position.decisionId);
    expect(said).toEqual([
      expect.objectContaining({
        level: 'warn', component: 'recovery',
        message: expect.stringContaining(`${KILLED} wrote EXIT_TRIGGERED (take_profit) for BTC/USD at `) as unknown,
        data: expect.objectContaining({ sell_sent: false, still_held: true }) as unknown,
      }),
    ]);
    expect(JSON.stringify(said[0])).toContain('no sell was sent');
    // The restart decides the bar of 05:24 again (it was never decided) and sells there.
    const sold = logs.lines.filter((l) => l.event_type === 'SELL_FILLED' && l.decision_id === position.decisionId);
    expect(sold).toEqual([expect.objectContaining({ session_id: RESTART, rule: 'take_profit' })]);

    // A restart after a session that ended cleanly says nothing of the kind.
    await runReplaySession(dataDir, btcPerpSlice(dir, 'to-0700.csv', 480), 'session_20220101_000200');
    const again = await readLogs(logsDir);
    expect(again.lines.filter((l) => l.event_type === 'LOG' && JSON.stringify(l).includes('wrote EXIT_TRIGGERED'))).toHaveLength(1);
  }, 120_000);
});
