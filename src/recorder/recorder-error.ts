import type { Channel } from './channels.js';

/** Why the flight recorder could not record; a bot that gets one must not trade. */
export type RecorderErrorCode =
  | 'open_failed'
  | 'write_failed'
  | 'short_write'
  | 'closed'
  | 'missing_trace_id'
  | 'unknown_event_type';

export class RecorderError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: RecorderErrorCode,
    message: string,
    readonly details: { channel?: Channel; path?: string; eventType?: string; errno?: string | undefined } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RecorderError';
  }
}

export function isRecorderError(error: unknown): error is RecorderError {
  return error instanceof RecorderError;
}
