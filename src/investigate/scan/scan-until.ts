import { splitTasks, type FoundLine, type ScanInput, type ScanOutcome } from './parallel-scan.js';
import type { ScanTask, TaskResult } from './scan-protocol.js';
import { runInWorker } from './spawn-worker.js';
import type { UntilRequest, UntilResponse } from './until-protocol.js';
import { runUntilTasks } from './until-tasks.js';

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

function collect(tasks: readonly ScanTask[], results: readonly TaskResult[], files: ReadonlyMap<string, ScanInput['file']>, lines: FoundLine[], torn: FoundLine[]): void {
  for (const r of results) {
    const task = tasks[r.task];
    const file = task ? files.get(task.path) : undefined;
    if (!task || !file) continue;
    if (r.offsets.length > 0) {
      const texts = r.text.split('\n');
      r.offsets.forEach((offset, k) => lines.push({ file, offset, text: texts[k] ?? '' }));
    }
    if (r.torn) torn.push({ file, offset: r.torn.offset, text: r.torn.text });
  }
}

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
  const pending = theirs
    ? runInWorker<UntilRequest, UntilResponse>(import.meta.url, 'until-worker', { tasks: theirs, needle, stop, flag, ...step }, abort.signal)
    : null;
  const local = runUntilTasks({ tasks: mine, needle, stop, ...step }, () => false);
  const lines: FoundLine[] = [];
  const torn: FoundLine[] = [];
  collect(mine, local.results, files, lines, torn);
  if (!pending || !theirs) return { lines, torn, bytes: local.bytes, stopped: local.stopped };
  if (local.stopped) {
    Atomics.store(new Int32Array(flag), 0, 1);
    abort.abort();
    await pending;
    return { lines, torn, bytes: local.bytes, stopped: true };
  }
  const response = await pending;
  if (!response?.ok) throw new Error(`scan worker failed: ${response ? response.message : 'aborted'}`);
  collect(theirs, response.results, files, lines, torn);
  return { lines, torn, bytes: local.bytes + response.bytes, stopped: response.stopped };
}
