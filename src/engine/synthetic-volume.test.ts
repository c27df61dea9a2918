import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperSession } from './paper-session.js';

// BTC/USD's known rules come from FTX's BTC-PERP file, whose candle volume is in USD. The synthetic
// feed counts base units: read as USD, a bar's volume left no liquidity and every order failed
// (as "slippage"), the exits of a position opened on the file included.
describe('a synthetic BTC/USD session', () => {
  it('fills its orders: the synthetic feed\'s volume is read as base units whatever the market', async () => {
    const dataDir = join(tempDir('tradetrace-synthetic-usd-'), 'data');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD', 'trading.symbols=BTC/USD', 'paper_exchange.fault_timeout=0', 'paper_exchange.fault_reject=0'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: new FileSink(logsDir) });
    const session = await PaperSession.open({
      config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'synthetic', symbols: ['BTC/USD'] }, speed: 600, durationMs: 8000, signals: false, watchdog: false,
    });
    const result = await session.run();
    recorder.close();
    expect(result.reason).toBe('duration_reached');
    const logs = await readLogs(logsDir);
    const failed = logs.lines.filter((l) => l.event_type === 'ORDER_FAILED');
    expect(logs.lines.filter((l) => l.event_type === 'BUY_FILLED').length).toBeGreaterThan(0);
    expect(failed.filter((l) => l['reason'] === 'slippage' || l['reason'] === 'no_liquidity')).toEqual([]);
  }, 60_000);
});
