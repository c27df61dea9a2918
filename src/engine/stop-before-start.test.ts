import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperSession } from './paper-session.js';

const available = sharedDataAvailable();

describe.skipIf(!available)('a signal that came during startup (real BTC-PERP candles)', () => {
  it('stops the session before it starts: no component started, no bar decided, a clean signal ending', async () => {
    const dataDir = join(tempDir('tradetrace-stop-first-'), 'data');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const recorder = new Recorder({ sessionId: 'session_20220101_000000', sink: new FileSink(logsDir) });
    const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [BTC_PERP_CSV] }, speed: 'max', signals: false });
    const result = await session.run('SIGINT');
    recorder.close();
    expect(result).toEqual({ reason: 'signal', exitCode: 0 });
    expect(session.stats.bars).toBe(0);
    const logs = await readLogs(logsDir);
    expect(logs.bad).toEqual([]);
    expect(logs.lines.filter((l) => l.event_type === 'DECISION_START')).toEqual([]);
    expect(logs.lines.filter((l) => l.event_type.startsWith('SHUTDOWN_')).map((l) => l.event_type)).toEqual(['SHUTDOWN_REQUESTED', 'SHUTDOWN_HEARTBEAT', 'SHUTDOWN_COMPLETE']);
    expect(logs.lines.find((l) => l.event_type === 'SHUTDOWN_REQUESTED')).toMatchObject({ reason: 'SIGINT' });
  });
});
