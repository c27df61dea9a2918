import { availableParallelism } from 'node:os';
import type { LogFile } from '../../recorder/log-files.js';
import { gunzipChunks } from './gunzip-chunks.js';
import { StreamMatcher } from './needle-scan.js';
import type { ScanRequest, ScanResponse, ScanTask, TaskResult } from './scan-protocol.js';
import { runScanTasks } from './scan-tasks.js';
import { runInWorker } from './spawn-worker.js';
import { workerError } from './worker-failure.js';

/** One file to scan from `from` (a byte offset found by time pruning) to `size` (its size now). */
export interface ScanInput {
  readonly file: LogFile;
  /** Where the scan stops: lines starting before it are read whole. */
  readonly size: number;
  readonly from: number;
  /** The file's size when the query began, when `size` stops short of it (a round of a bigger scan). */
  readonly fileSize?: number;
}

export interface FoundLine {
  readonly file: LogFile;
  readonly offset: number;
  readonly text: string;
}

/** A line in the scanned ranges that is not shaped like a log line (see line-shape.ts). */
export interface MisshapenLine {
  readonly file: LogFile;
  readonly offset: number;
}

export interface ScanOutcome {
  readonly lines: FoundLine[];
  /** Last lines cut off before their newline (SIGKILL mid-write, disk full). */
  readonly torn: FoundLine[];
  readonly misshapen: MisshapenLine[];
  readonly bytes: number;
}

/** Adds the lines of task results (from this thread or a worker) to an outcome being built. */
export function collectResults(tasks: readonly ScanTask[], results: readonly TaskResult[], files: ReadonlyMap<string, LogFile>, into: Omit<ScanOutcome, 'bytes'>): void {
  for (const r of results) {
    const task = tasks[r.task];
    const file = task ? files.get(task.path) : undefined;
    if (!task || !file) continue;
    if (r.offsets.length > 0) {
      const texts = r.text.split('\n');
      r.offsets.forEach((offset, k) => into.lines.push({ file, offset, text: texts[k] ?? '' }));
    }
    if (r.torn) into.torn.push({ file, offset: r.torn.offset, text: r.torn.text });
    for (const offset of r.misshapen) into.misshapen.push({ file, offset });
  }
}

export interface ScanOptions {
  /** Threads to use, this one included (default: the machine's cores, at most 4). */
  readonly parallelism?: number;
  /** Below this many bytes a worker costs more to start than it saves. */
  readonly parallelMinBytes?: number;
}

const DEFAULT_PARALLEL_MIN_BYTES = 48 * 1024 * 1024;

/** Cuts the byte ranges of plain files into `parts` groups of about equal size, at arbitrary bytes. */
export function splitTasks(inputs: readonly ScanInput[], parts: number): ScanTask[][] {
  const total = inputs.reduce((sum, i) => sum + (i.size - i.from), 0);
  const share = Math.ceil(total / parts);
  const groups: ScanTask[][] = [[]];
  let room = share;
  for (const input of inputs) {
    let start = input.from;
    while (start < input.size) {
      const end = Math.min(input.size, start + room);
      groups[groups.length - 1]?.push({ path: input.file.path, start, end, fileSize: input.fileSize ?? input.size });
      room -= end - start;
      start = end;
      if (room <= 0 && groups.length < parts) {
        groups.push([]);
        room = share;
      }
    }
  }
  return groups.filter((g) => g.length > 0);
}

async function scanGzip(file: LogFile, needles: readonly Buffer[], into: Omit<ScanOutcome, 'bytes'>): Promise<number> {
  let bytes = 0;
  const matcher = new StreamMatcher(needles, {
    hit: (offset, text) => into.lines.push({ file, offset, text }),
    torn: (offset, text) => into.torn.push({ file, offset, text }),
    misshapen: (offset) => into.misshapen.push({ file, offset }),
  });
  for await (const chunk of gunzipChunks(file.path)) {
    bytes += chunk.length;
    matcher.push(chunk);
  }
  matcher.end();
  return bytes;
}

/**
 * Finds every line containing one of `needles` (every line when there are none) in the given files.
 * Plain files are split across threads when they are big enough to pay for a worker's start.
 */
export async function scanFiles(inputs: readonly ScanInput[], needles: readonly string[], options: ScanOptions = {}): Promise<ScanOutcome> {
  const found: Omit<ScanOutcome, 'bytes'> = { lines: [], torn: [], misshapen: [] };
  const plain = inputs.filter((i) => !i.file.gzipped && i.size > i.from);
  const byPath = new Map(plain.map((i) => [i.file.path, i.file]));
  const plainBytes = plain.reduce((sum, i) => sum + i.size - i.from, 0);
  const threads = Math.max(1, options.parallelism ?? Math.min(4, availableParallelism()));
  const parallel = threads > 1 && plainBytes >= (options.parallelMinBytes ?? DEFAULT_PARALLEL_MIN_BYTES);
  const groups = splitTasks(plain, parallel ? threads : 1);
  const request = (tasks: ScanTask[]): ScanRequest => ({ tasks, needles });
  // Workers take every group but the last, which this thread scans meanwhile.
  const pending = groups.slice(0, -1).map((tasks) => runInWorker<ScanRequest, ScanResponse>(import.meta.url, 'scan-worker', request(tasks)));
  const gzBuffers = needles.map((n) => Buffer.from(n, 'utf8'));
  const gzips = inputs.filter((i) => i.file.gzipped).map((i) => scanGzip(i.file, gzBuffers, found));
  // When one part fails, that failure is the answer; the others' must not crash the process as unhandled.
  for (const p of [...pending, ...gzips]) p.catch(() => undefined);
  const results: { tasks: ScanTask[]; result: TaskResult[] }[] = [];
  const last = groups[groups.length - 1];
  const local = last ? runScanTasks(request(last)) : [];
  for (const [g, response] of (await Promise.all(pending)).entries()) {
    if (!response.ok) throw workerError(response, 'scan worker');
    results.push({ tasks: groups[g] ?? [], result: response.results });
  }
  if (last) results.push({ tasks: last, result: local });
  for (const { tasks, result } of results) collectResults(tasks, result, byPath, found);
  const gzBytes = (await Promise.all(gzips)).reduce((a, b) => a + b, 0);
  return { ...found, bytes: plainBytes + gzBytes };
}
