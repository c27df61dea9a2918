/** Why a session ended badly, as SESSION_END records it (`error_code`, `message`). */
export interface SessionFailure {
  readonly code: string;
  readonly message: string;
}

/** The error's own `code` when it has one (every typed error here does), else `error`. */
export function sessionFailure(error: unknown): SessionFailure {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return { code: typeof code === 'string' && code.length > 0 ? code : 'error', message: error instanceof Error ? error.message : String(error) };
}
