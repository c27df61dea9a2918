/** The fields of a LOG line, to be written at level warn. */
export interface UncompressedWarning {
  readonly message: string;
  readonly component: 'recorder';
  readonly data: { readonly path: string; readonly error: string };
}

/**
 * What the flight record says of a rotated file that could not be gzipped (disk full, EACCES): it
 * stays plain and readable, worth a warning, never a stop. One wording for every thread that
 * compresses (the main thread's sink, the watchdog thread's).
 */
export function uncompressedWarning(path: string, error: unknown): UncompressedWarning {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    message: `could not gzip the rotated log ${path}: ${reason}; it stays uncompressed (retried at the next start)`,
    component: 'recorder',
    data: { path, error: reason },
  };
}
