import { parentPort } from 'node:worker_threads';
import { buildSegmentSync, type BuildTask } from './build-segment.js';
import type { SegmentHeader } from './segment.js';

export type IndexWorkerResponse = { readonly ok: true; readonly headers: SegmentHeader[] } | { readonly ok: false; readonly message: string };

// Worker entry: builds the plain-file segments it is given and returns their headers.
parentPort?.once('message', (tasks: BuildTask[]) => {
  let response: IndexWorkerResponse;
  try {
    response = { ok: true, headers: tasks.map(buildSegmentSync) };
  } catch (error) {
    response = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(response);
});
