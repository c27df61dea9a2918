import { LogReadError, toLogReadError } from '../log-read-error.js';

/**
 * A worker's error as it crosses back to the query's thread. An Error loses its own fields (`code`,
 * `path`) in the structured clone, so an unreadable file would arrive as a bare message; these
 * fields carry what the CLI needs to say which file and why.
 */
export interface WorkerFailure {
  readonly ok: false;
  readonly message: string;
  readonly unreadable?: { readonly path: string; readonly errno: string | undefined; readonly reason: string };
}

export function workerFailure(error: unknown): WorkerFailure {
  const read = toLogReadError(error);
  const message = error instanceof Error ? error.message : String(error);
  return read ? { ok: false, message, unreadable: { path: read.path, errno: read.errno, reason: read.reason } } : { ok: false, message };
}

/** The error to throw on the query's thread for a failed worker (`what`: "scan worker"). */
export function workerError(failure: WorkerFailure, what: string): Error {
  const u = failure.unreadable;
  return u ? new LogReadError(u.path, u.errno, u.reason) : new Error(`${what} failed: ${failure.message}`);
}
