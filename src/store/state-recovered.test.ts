import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { schema2File, type OldPosition } from './__fixtures__/schema-2-file.js';
import { logStateRecovered } from './recover-state.js';
import { StateStore } from './state-store.js';

const at = (day: number, hour: number): number => Date.UTC(2022, 0, day, hour);

/** STATE_RECOVERED as a session trading `quoteCurrency` writes it on `dataDir`, read back and validated. */
async function recovered(dataDir: string, quoteCurrency: string): Promise<Record<string, unknown>> {
  const logsDir = tempDir('tradetrace-recovered-logs-');
  const recorder = new Recorder({ sessionId: 'session_20220107_000000', sink: new FileSink(logsDir) });
  const store = StateStore.open({ dataDir, exclusive: false });
  logStateRecovered(store, recorder, quoteCurrency);
  store.close();
  recorder.close();
  const logs = await readLogs(logsDir);
  expect(logs.bad).toEqual([]);
  const line = logs.lines.find((l) => l.event_type === 'STATE_RECOVERED');
  if (!line) throw new Error(`no STATE_RECOVERED in ${join(logsDir, 'audit.jsonl')}`);
  return line;
}

const USDT_TRADE: OldPosition = { id: 1, symbol: 'ETH/USDT', open: false, realized: '1.5', fees: '0.3', openedAt: at(5, 2), closedAt: at(5, 3), orders: [
  { side: 'buy', qty: '1', fee: '0.1', feeCurrency: 'USDT', at: at(5, 2) }, { side: 'sell', qty: '1', fee: '0.2', feeCurrency: 'USDT', at: at(5, 3) }] };
const USD_TRADE: OldPosition = { id: 2, symbol: 'BTC/USD', open: false, realized: '-0.5', fees: '0.1', openedAt: at(5, 4), closedAt: at(5, 5), orders: [
  { side: 'buy', qty: '0.001', fee: '0.05', feeCurrency: 'USD', at: at(5, 4) }, { side: 'sell', qty: '0.001', fee: '0.05', feeCurrency: 'USD', at: at(5, 5) }] };

describe('STATE_RECOVERED', () => {
  it("gives realized_pnl, as exact text, only when all the file's realized PnL is in the session's quote currency", async () => {
    const dir = tempDir();
    schema2File(dir, [USDT_TRADE], [['2022-01-05', '1.5', '0.3', 1]]);
    expect(await recovered(dir, 'USDT')).toMatchObject({ realized_pnl: '1.5', realized_pnl_by_currency: { USDT: '1.5' } });
    // A BTC session on it: the figure is USDT's, not the session's (it was given as realized_pnl: 1.5).
    const btc = await recovered(dir, 'BTC');
    expect(btc).not.toHaveProperty('realized_pnl');
    expect(btc['realized_pnl_by_currency']).toEqual({ USDT: '1.5' });
    // A new file holds no PnL: 0 in the session's currency.
    expect(await recovered(tempDir(), 'BTC')).toMatchObject({ realized_pnl: '0', realized_pnl_by_currency: {} });
  });

  it('gives days kept unsplit apart from every currency, and then no realized_pnl', async () => {
    const dir = tempDir();
    schema2File(dir, [USDT_TRADE, USD_TRADE], [['2022-01-04', '-1', '0.1', 1], ['2022-01-05', '1', '0.4', 2]]);
    const line = await recovered(dir, 'USDT');
    expect(line).not.toHaveProperty('realized_pnl');
    // The 4th (nothing left of it in the file, which traded two currencies) and the 5th (both traded) could not be split.
    expect(line['realized_pnl_by_currency']).toEqual({});
    expect(line['realized_pnl_unsplit']).toEqual([{ currencies: ['USD', 'USDT'], days: 2, first_day: '2022-01-04', last_day: '2022-01-05', realized_pnl: '0', fees: '0.5' }]);
  });
});
