import { errorCodeOf } from '../fatal-handler.js';

/** Why a session ended badly, as SESSION_END records it (`error_code`, `message`). */
export interface SessionFailure {
  readonly code: string;
  readonly message: string;
}

/** The error's own `code` when it has one (every typed error here does), else its class name, as FATAL names it. */
export function sessionFailure(error: unknown): SessionFailure {
  return { code: errorCodeOf(error), message: error instanceof Error ? error.message : String(error) };
}
