/** Why a session's directory or files could not be written or read. */
export type SessionErrorCode = 'create_failed' | 'write_failed' | 'read_failed' | 'ids_exhausted';

export class SessionError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: SessionErrorCode,
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SessionError';
  }
}

export function errnoOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
}
