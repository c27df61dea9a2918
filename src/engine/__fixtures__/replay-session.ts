import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { PaperSession } from '../paper-session.js';

/** A paper session replaying `csv` as BTC/USD (USD quote) at full speed in `dataDir`, run to the end of its data. */
export async function runReplaySession(dataDir: string, csv: string, sessionId: string): Promise<void> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logsDir = join(dataDir, 'logs');
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [csv], symbols: ['BTC/USD'] }, speed: 'max', signals: false, watchdog: false });
  const result = await session.run();
  recorder.close();
  expect(result.reason, JSON.stringify(result)).toBe('data_end');
}
