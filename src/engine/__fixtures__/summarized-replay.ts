import { join } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { FileSink } from '../../recorder/file-sink.js';
import { readLogs, type ReadBack } from '../../recorder/__fixtures__/read-logs.js';
import { Recorder } from '../../recorder/recorder.js';
import { PaperSession } from '../paper-session.js';
import { formatPaperSummary, paperSummary, type PaperSummary } from '../session-summary.js';

/** A replay run to its end, with the summary the paper command would write and print. */
export interface SummarizedRun {
  readonly logs: ReadBack;
  readonly summary: PaperSummary;
  /** The printed end-of-session text. */
  readonly text: string;
}

/**
 * Replays `files` as `symbols` at full speed in `dataDir` (kept: a second run on it resumes) with
 * the config keys `sets`, to its end, then summarizes it as the paper command does.
 */
export async function replayAndSummarize(dataDir: string, files: readonly string[], symbols: readonly string[], sets: readonly string[], sessionId: string): Promise<SummarizedRun> {
  const logsDir = join(dataDir, 'logs');
  const loaded = loadConfig({ sets: [...sets] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files, symbols }, speed: 'max', signals: false, watchdog: false });
  const result = await session.run();
  const summary = paperSummary(session, result, []);
  recorder.close();
  if (result.reason !== 'data_end') throw new Error(`the replay ended ${result.reason}: ${JSON.stringify(result)}`);
  return { logs: await readLogs(logsDir), summary, text: formatPaperSummary(sessionId, summary, dataDir) };
}
