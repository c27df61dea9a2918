import { parentPort } from 'node:worker_threads';
import type { UntilRequest, UntilResponse } from './until-protocol.js';
import { runUntilTasks } from './until-tasks.js';
import { workerFailure } from './worker-failure.js';

// Worker entry: scans the later half of a forward scan until its stop line, or until the earlier half found it.
parentPort?.once('message', (request: UntilRequest) => {
  let response: UntilResponse;
  try {
    const flag = new Int32Array(request.flag);
    const outcome = runUntilTasks(request, () => Atomics.load(flag, 0) === 1);
    response = { ok: true, ...outcome };
  } catch (error) {
    response = workerFailure(error);
  }
  parentPort?.postMessage(response);
});
