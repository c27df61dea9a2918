import { isRecorderError } from '../recorder/recorder-error.js';
import { isStoreError } from '../store/store-error.js';

/**
 * Trading must stop: the flight record cannot be written (a bot that cannot record must not
 * trade), or the state store refused a booking (the books would no longer match the exchange).
 * The engine lets it propagate; the session ends with reason error.
 */
export class EngineHaltError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: 'recorder_unavailable' | 'state_store_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineHaltError';
  }
}

export function isEngineHalt(error: unknown): error is EngineHaltError {
  return error instanceof EngineHaltError;
}

/** Errors after which the engine must not go on: rethrown as they are, or wrapped. */
export function haltFor(error: unknown): Error | undefined {
  if (isRecorderError(error) || isEngineHalt(error)) return error;
  if (isStoreError(error)) return new EngineHaltError('state_store_failed', `state store failed: ${error.message}`, { cause: error });
  return undefined;
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[a-z0-9_]{1,64}$/i.test(code) ? code : error instanceof Error ? error.name : 'unknown_error';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
