import type { WorkerFailure } from './worker-failure.js';

/** Messages between a query and its scan workers (structured-clone friendly). */
export interface ScanTask {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly fileSize: number;
}

export interface ScanRequest {
  readonly tasks: readonly ScanTask[];
  readonly needles: readonly string[];
}

export interface TaskResult {
  readonly task: number;
  readonly offsets: number[];
  /** The hit lines joined by '\n' (a log line never holds a raw newline): one string to clone, not thousands. */
  readonly text: string;
  readonly torn: { readonly offset: number; readonly text: string } | null;
  /** Starts of the lines in the task's range that are not shaped like a log line. */
  readonly misshapen: number[];
}

export type ScanResponse = { readonly ok: true; readonly results: TaskResult[] } | WorkerFailure;
