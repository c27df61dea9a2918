import type { ScanTask, TaskResult } from './scan-protocol.js';
import type { WorkerFailure } from './worker-failure.js';

/** A forward scan that stops at the first hit containing `stop`, or when another thread raised `flag`. */
export interface UntilRequest {
  readonly tasks: readonly ScanTask[];
  readonly needle: string;
  readonly stop: string;
  /** Bytes between two checks of the stop condition (default STEP_BYTES). */
  readonly stepBytes?: number;
  /** Int32Array over it: [0] is set to 1 by whichever thread found the stopping line first in file order. */
  readonly flag: SharedArrayBuffer;
}

export type UntilResponse =
  | { readonly ok: true; readonly results: TaskResult[]; readonly stopped: boolean; readonly bytes: number }
  | WorkerFailure;
