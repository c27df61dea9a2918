import { parentPort } from 'node:worker_threads';
import type { ScanRequest, ScanResponse } from './scan-protocol.js';
import { runScanTasks } from './scan-tasks.js';
import { workerFailure } from './worker-failure.js';

// Worker entry: one request, one response; the query terminates the worker afterwards.
parentPort?.once('message', (request: ScanRequest) => {
  let response: ScanResponse;
  try {
    response = { ok: true, results: runScanTasks(request) };
  } catch (error) {
    response = workerFailure(error);
  }
  parentPort?.postMessage(response);
});
