/**
 * A log file or directory the reader cannot read (permission, a file where a directory belongs, a
 * disk error). Thrown from anywhere in a query and turned into one line and exit code 3 by the CLI,
 * so a read command never answers an I/O failure with a stack trace or the "nothing matched" code.
 */
export class LogReadError extends Error {
  readonly code = 'log_unreadable' as const;
  readonly retryable = false;

  constructor(
    readonly path: string,
    /** The system's error code (EACCES, ENOTDIR, ...) when there is one. */
    readonly errno: string | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot read ${path}: ${reason}${errno ? ` (${errno})` : ''}`, options);
    this.name = 'LogReadError';
  }
}

// Words for the errors a reader meets; anything else keeps the system's own message.
const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory, not a file',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error (failing disk?)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'name too long',
  ESTALE: 'stale file handle (network filesystem)',
  Z_DATA_ERROR: 'not valid gzip data',
  Z_BUF_ERROR: 'gzip data ends early',
};

interface SystemError {
  readonly code: string;
  readonly path?: unknown;
  readonly message: string;
}

function isSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

export function reasonFor(errno: string, fallback: string): string {
  return REASONS[errno] ?? fallback;
}

/**
 * The LogReadError an error means, or null for anything that is not a read failure (a bug stays a
 * stack trace). A system error names its own path; `path` is for those that do not (gzip, streams).
 */
export function toLogReadError(error: unknown, path?: string): LogReadError | null {
  if (error instanceof LogReadError) return error;
  if (!isSystemError(error)) return null;
  const where = typeof error.path === 'string' ? error.path : path;
  if (where === undefined) return null;
  return new LogReadError(where, error.code, reasonFor(error.code, error.message), { cause: error });
}
