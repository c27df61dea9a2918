import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { readLogs, type ReadBack } from '../../recorder/__fixtures__/read-logs.js';
import type { PositionRecord } from '../../store/records.js';
import { StateStore } from '../../store/state-store.js';
import { PaperSession } from '../paper-session.js';

/**
 * A paper session replaying `csv` as BTC/USD (USD quote) at full speed in `dataDir`, run to the end
 * of its data, its recorder left open: lines written through it afterwards are the same session's,
 * its seq going on (what a kill would have cut short, written as the engine would have).
 */
export async function runReplaySessionLeavingOpen(dataDir: string, csv: string, sessionId: string): Promise<Recorder> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logsDir = join(dataDir, 'logs');
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [csv], symbols: ['BTC/USD'] }, speed: 'max', signals: false, watchdog: false });
  const result = await session.run();
  expect(result.reason, JSON.stringify(result)).toBe('data_end');
  return recorder;
}

/** The same, its recorder closed. */
export async function runReplaySession(dataDir: string, csv: string, sessionId: string): Promise<void> {
  (await runReplaySessionLeavingOpen(dataDir, csv, sessionId)).close();
}

/** A replay run to its end in a fresh data directory: where it wrote, and what. */
export interface ReplayRun {
  readonly dataDir: string;
  readonly logs: ReadBack;
}

/**
 * The candle `files` replayed at full speed (as `symbols` when given) with the config keys `sets`,
 * in a new data directory under `dataDir`, to data_end; the recorder is closed and the logs read
 * back, every line of them valid.
 */
export async function replayToEnd(dataDir: string, files: readonly string[], sets: readonly string[], options: { symbols?: readonly string[]; sessionId?: string } = {}): Promise<ReplayRun> {
  const logsDir = join(dataDir, 'logs');
  const loaded = loadConfig({ sets });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const recorder = new Recorder({ sessionId: options.sessionId ?? 'session_20260105_000000', sink: new FileSink(logsDir) });
  const feed = options.symbols === undefined ? { kind: 'replay' as const, files } : { kind: 'replay' as const, files, symbols: options.symbols };
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed, speed: 'max', signals: false, watchdog: false });
  const result = await session.run();
  recorder.close();
  expect(result.reason).toBe('data_end');
  const logs = await readLogs(logsDir);
  expect(logs.bad).toEqual([]);
  return { dataDir, logs };
}

/**
 * A session on `csv`, the real BTC perp candles up to 05:23 (its bars 23:01..05:23: btcPerpSlice of
 * 383), its recorder left open as a kill would leave it, holding the 23:34 buy: take_profit fires
 * on the bar of 05:24 (close 47200), the next one a restart replays. The data dir is `dir/data`.
 */
export async function killedHoldingTheFirstBuy(dir: string, csv: string, sessionId: string): Promise<{ killed: Recorder; position: PositionRecord; dataDir: string; logsDir: string }> {
  const dataDir = join(dir, 'data');
  const killed = await runReplaySessionLeavingOpen(dataDir, csv, sessionId);
  const store = StateStore.open({ dataDir });
  const [position] = store.positions();
  store.close();
  if (position === undefined) throw new Error(`no position held in ${dataDir} after the replay to 05:23`);
  return { killed, position, dataDir, logsDir: join(dataDir, 'logs') };
}
