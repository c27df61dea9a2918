import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { btcPerpSlice, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { withDecision } from '../recorder/trace-context.js';
import { killedHoldingTheFirstBuy, runReplaySession } from './__fixtures__/replay-session.js';

const available = sharedDataAvailable();
const KILLED = 'session_20220101_000000';
const RESTART = 'session_20220101_000100';
const d = (text: string): Decimal => Decimal.parse(text);

describe.skipIf(!available)("an exit's sell intent is named on its EXIT_TRIGGERED", () => {
  it("EXIT_TRIGGERED carries the intent_id of the sell it begins, the one its ORDER_CONTEXT and SELL_FILLED carry", async () => {
    const dir = tempDir('tradetrace-exit-intent-');
    const dataDir = join(dir, 'data');
    // Bars 23:01..05:59: the 23:34 buy is held until take_profit fires on the bar of 05:24.
    await runReplaySession(dataDir, btcPerpSlice(dir, 'to-0559.csv', 419), KILLED);
    const { lines, bad } = await readLogs(join(dataDir, 'logs'));
    expect(bad).toEqual([]);
    const triggered = lines.filter((l) => l.event_type === 'EXIT_TRIGGERED');
    expect(triggered).toEqual([expect.objectContaining({ rule: 'take_profit', intent_id: expect.stringMatching(/^int_/) as unknown })]);
    const [trigger] = triggered;
    if (trigger === undefined) return;
    const orders = (await readLogs(join(dataDir, 'logs'), ['orders'])).lines;
    const after = orders.filter((l) => l.seq > trigger.seq && l.decision_id === trigger.decision_id).sort((a, b) => a.seq - b.seq);
    expect(after[0]).toEqual(expect.objectContaining({ event_type: 'ORDER_CONTEXT', side: 'sell', intent_id: trigger.intent_id }));
    expect(lines.filter((l) => l.event_type === 'SELL_FILLED')).toEqual([expect.objectContaining({ intent_id: trigger.intent_id, decision_id: trigger.decision_id })]);
  }, 120_000);

  it("a restart closes the sell intent of an exit cut between EXIT_TRIGGERED and its first ORDER_CONTEXT (ORDER_RECONCILED not_found, never sent); orders --intent shows it", async () => {
    const dir = tempDir('tradetrace-cut-exit-intent-');
    const { killed, position, dataDir, logsDir } = await killedHoldingTheFirstBuy(dir, btcPerpSlice(dir, 'to-0523.csv', 383), KILLED);
    // What the exit handler writes before a kill lands ahead of the sell's first ORDER_CONTEXT: its
    // EXIT_TRIGGERED, under the position's decision and the sell's intent.
    const intentId = 'int_5e11c0de5e11c0de';
    withDecision(position.decisionId, () => killed.emit('EXIT_TRIGGERED', {
      intent_id: intentId, symbol: 'BTC/USD', rule: 'take_profit', entry_px: position.entryPx, trigger_px: position.entryPx.mul(d('1.015')), price: d('47200'), qty: position.qty,
    }));
    killed.close();

    await runReplaySession(dataDir, btcPerpSlice(dir, 'to-0600.csv', 420), RESTART);
    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    expect(logs.lines.filter((l) => l.event_type === 'ORDER_RECONCILED')).toEqual([
      expect.objectContaining({
        session_id: RESTART, decision_id: position.decisionId, intent_id: intentId, symbol: 'BTC/USD', side: 'sell', client_order_id: `${intentId}-1`,
        outcome: 'not_found', previous_status: 'not_recorded', status: 'not_sent', level: 'warn',
        details: expect.stringContaining(`${KILLED} wrote EXIT_TRIGGERED for this intent but ended before its first ORDER_CONTEXT`) as unknown,
      }),
    ]);
    // Closed as an intent, not told in a LOG line with no intent to find it by.
    expect(logs.lines.filter((l) => l.event_type === 'LOG' && JSON.stringify(l).includes('wrote EXIT_TRIGGERED'))).toEqual([]);
    // The bar of 05:24 is decided again: its exit fires again and sells under a new intent.
    const sold = logs.lines.filter((l) => l.event_type === 'SELL_FILLED' && l.decision_id === position.decisionId);
    expect(sold).toEqual([expect.objectContaining({ session_id: RESTART, rule: 'take_profit' })]);
    expect(sold[0]?.intent_id).not.toBe(intentId);

    const shown = await runQuery(['orders', '--intent', intentId, '--data-dir', dataDir]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(intentId);
    expect(shown.stdout).toContain('never sent');

    // A further restart finds the intent closed: nothing is closed twice.
    await runReplaySession(dataDir, btcPerpSlice(dir, 'to-0700.csv', 480), 'session_20220101_000200');
    const again = await readLogs(logsDir);
    expect(again.lines.filter((l) => l.event_type === 'ORDER_RECONCILED')).toHaveLength(1);
  }, 120_000);
});
