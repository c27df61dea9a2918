import { parentPort } from 'node:worker_threads';
import { buildSegmentSync, type BuildTask } from './build-segment.js';
import { workerFailure, type WorkerFailure } from '../scan/worker-failure.js';
import type { SegmentHeader } from './segment.js';

export type IndexWorkerResponse = { readonly ok: true; readonly headers: SegmentHeader[] } | WorkerFailure;

// Worker entry: builds the plain-file segments it is given and returns their headers.
parentPort?.once('message', (tasks: BuildTask[]) => {
  let response: IndexWorkerResponse;
  try {
    response = { ok: true, headers: tasks.map(buildSegmentSync) };
  } catch (error) {
    response = workerFailure(error);
  }
  parentPort?.postMessage(response);
});
