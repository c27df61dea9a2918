import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { StateStore } from '../store/state-store.js';
import { runReplaySession } from './__fixtures__/replay-session.js';

const available = sharedDataAvailable();
const KILLED = 'session_20220101_000000';
const d = (text: string): Decimal => Decimal.parse(text);

describe.skipIf(!available)('an intent whose ORDER_CONTEXT was written but whose order never reached the store (killed in between)', () => {
  it('is closed at the next start with ORDER_RECONCILED not_found (never sent), and nothing else is touched', async () => {
    const dir = tempDir('tradetrace-unsent-');
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    const csv = join(dir, 'BTCUSD.csv');
    writeFileSync(csv, `${readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 121).join('\n')}\n`);
    await runReplaySession(dataDir, csv, KILLED);
    // What the killed session's last write was: the sell's ORDER_CONTEXT, barrier-flushed, then SIGKILL.
    const killed = new Recorder({ sessionId: KILLED, sink: new FileSink(logsDir) });
    withDecision('dec_20211231_235900_abcdef', () => withIntent('int_00000000000000aa', () => killed.emit('ORDER_CONTEXT', {
      symbol: 'BTC/USD', side: 'sell', qty: d('0.001'), limit_px: d('46000'), quote_budget: d('46'), notional: d('46'), tif: 'IOC', slippage_bps: 20,
      min_notional: d('5'), max_retries: 3, retry_backoff_ms: 400, attempt: 1, attempt_start_ts: 1641000000, client_order_id: 'int_00000000000000aa-1',
      reference_px: d('46100'),
    })));
    // And one whose first attempt failed on the network (the store booked it failed), whose retry's
    // ORDER_CONTEXT was the last line: attempt 2 was never recorded, so never sent.
    const store = StateStore.open({ dataDir });
    store.recordOrder({ clientOrderId: 'int_00000000000000bb-1', intentId: 'int_00000000000000bb', decisionId: 'dec_20211231_235900_abcdef', symbol: 'BTC/USD', side: 'sell', qty: d('0.001'), limitPx: d('46000'), ts: 1641000000000 });
    store.updateOrder('int_00000000000000bb-1', { status: 'failed', ts: 1641000000000 });
    store.close();
    withDecision('dec_20211231_235900_abcdef', () => withIntent('int_00000000000000bb', () => {
      for (const attempt of [1, 2]) {
        killed.emit('ORDER_CONTEXT', {
          symbol: 'BTC/USD', side: 'sell', qty: d('0.001'), limit_px: d('46000'), quote_budget: d('46'), notional: d('46'), tif: 'IOC', slippage_bps: 20,
          min_notional: d('5'), max_retries: 3, retry_backoff_ms: 400, attempt, attempt_start_ts: 1641000000, client_order_id: `int_00000000000000bb-${attempt}`,
          reference_px: d('46100'),
        });
        if (attempt === 1) killed.emit('ORDER_RETRY', { symbol: 'BTC/USD', attempt: 1, next_attempt: 2, reason: 'network', message: 'connect ECONNREFUSED', backoff_ms: 10 });
      }
    }));
    killed.close();

    await runReplaySession(dataDir, csv, 'session_20220101_000100');
    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    const reconciled = logs.lines.filter((l) => l.event_type === 'ORDER_RECONCILED');
    expect(reconciled).toEqual([
      expect.objectContaining({
        session_id: 'session_20220101_000100', decision_id: 'dec_20211231_235900_abcdef', intent_id: 'int_00000000000000aa', side: 'sell',
        client_order_id: 'int_00000000000000aa-1', outcome: 'not_found', previous_status: 'not_recorded', status: 'not_sent', level: 'warn',
      }),
      expect.objectContaining({ intent_id: 'int_00000000000000bb', client_order_id: 'int_00000000000000bb-2', outcome: 'not_found', status: 'not_sent' }),
    ]);
    const complete = logs.lines.filter((l) => l.event_type === 'RECONCILE_COMPLETE' && l.session_id === 'session_20220101_000100');
    expect(complete).toEqual([expect.objectContaining({ checked: 2, outcomes: expect.objectContaining({ not_found: 2 }) as unknown })]);
    // The first session's own intents all ended (filled or failed): none is taken for unsent.
    expect(logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && l.session_id === KILLED).length).toBeGreaterThan(1);
  }, 60_000);
});
