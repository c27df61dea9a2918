/**
 * How a data directory's log files are rotated and compressed. Every writer of them takes the same
 * (the main thread's sink and the watchdog thread's): two sizes for one file would rotate it at
 * whichever comes first, and a file rotated by a writer that does not compress stays plain.
 */
export interface LogRotation {
  /** Rotate a channel's file once it grows past this many bytes. */
  readonly rotateBytes: number;
  /** Gzip a rotated file this long after its rotation; undefined: rotated files stay plain. */
  readonly compressAfterMs: number | undefined;
}

/** The config's `recorder` section (rotate_mb, compress_rotated, compress_after) as a LogRotation. */
export function logRotationOf(recorder: { readonly rotate_mb: number; readonly compress_rotated: boolean; readonly compress_after: number }): LogRotation {
  return { rotateBytes: recorder.rotate_mb * 1024 * 1024, compressAfterMs: recorder.compress_rotated ? recorder.compress_after : undefined };
}
