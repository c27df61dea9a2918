import { collectResults, splitTasks, type ScanInput, type ScanOutcome } from './parallel-scan.js';
import { runInWorker } from './spawn-worker.js';
import type { UntilRequest, UntilResponse } from './until-protocol.js';
import { runUntilTasks } from './until-tasks.js';
import { workerError } from './worker-failure.js';

export interface UntilOutcome extends ScanOutcome {
  /** Whether a line containing the stop text was found (the scan ended there). */
  readonly stopped: boolean;
}

export interface UntilOptions {
  /** Below this many bytes a second thread costs more to start than it saves. */
  readonly parallelMinBytes?: number;
  /** 1 keeps the scan on this thread. */
  readonly parallelism?: number;
  readonly stepBytes?: number;
}

const DEFAULT_PARALLEL_MIN_BYTES = 48 * 1024 * 1024;

/**
 * Scans plain files forward (in the given order) for lines containing `needle` and stops at the
 * first one that also contains `stop`. For a position's exit: it is written once, usually soon after
 * its decision, so the scan reads megabytes where a full pass reads the rest of the log. A big scan
 * is cut in two: this thread takes the earlier half, a worker the later one. When this thread finds
 * the stop line, the worker is dropped (its half comes after); when the worker finds it, this thread
 * still finishes its half, whose lines all come before.
 */
export async function scanUntil(inputs: readonly ScanInput[], needle: string, stop: string, options: UntilOptions = {}): Promise<UntilOutcome> {
  for (const input of inputs) if (input.file.gzipped) throw new Error(`scanUntil reads plain files only, not ${input.file.path}`);
  const plain = inputs.filter((i) => i.size > i.from);
  const files = new Map(plain.map((i) => [i.file.path, i.file]));
  const total = plain.reduce((sum, i) => sum + i.size - i.from, 0);
  const parallel = (options.parallelism ?? 2) > 1 && total >= (options.parallelMinBytes ?? DEFAULT_PARALLEL_MIN_BYTES);
  const [mine = [], theirs] = splitTasks(plain, parallel ? 2 : 1);
  const step = options.stepBytes === undefined ? {} : { stepBytes: options.stepBytes };
  const flag = new SharedArrayBuffer(4);
  const abort = new AbortController();
  // Raises the flag the worker polls between steps, and aborts its wait for a message.
  const stopWorker = (): void => {
    Atomics.store(new Int32Array(flag), 0, 1);
    abort.abort();
  };
  const pending = theirs
    ? runInWorker<UntilRequest, UntilResponse>(import.meta.url, 'until-worker', { tasks: theirs, needle, stop, flag, ...step }, abort.signal)
    : null;
  // This thread's failure is the answer; the worker's must not crash the process as unhandled.
  pending?.catch(() => undefined);
  let local: ReturnType<typeof runUntilTasks>;
  try {
    local = runUntilTasks({ tasks: mine, needle, stop, ...step }, () => false);
  } catch (error) {
    // Stop the worker too: left running, its half of a large scan would hold the CLI's exit.
    stopWorker();
    throw error;
  }
  const found: Omit<ScanOutcome, 'bytes'> = { lines: [], torn: [], misshapen: [] };
  collectResults(mine, local.results, files, found);
  if (!pending || !theirs) return { ...found, bytes: local.bytes, stopped: local.stopped };
  if (local.stopped) {
    stopWorker();
    await pending;
    return { ...found, bytes: local.bytes, stopped: true };
  }
  const response = await pending;
  if (!response) throw new Error('scan worker failed: aborted');
  if (!response.ok) throw workerError(response, 'scan worker');
  collectResults(theirs, response.results, files, found);
  return { ...found, bytes: local.bytes + response.bytes, stopped: response.stopped };
}
