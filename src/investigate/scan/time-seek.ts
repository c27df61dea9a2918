import { closeSync, openSync, readSync } from 'node:fs';

const TS_PREFIX = '{"ts":"';
const PROBE_BYTES = 8 * 1024;
const ISO_LENGTH = 24;

/** The ts of the first whole line starting at or after `at`, and where that line starts. */
function lineAfter(fd: number, at: number, size: number, probe: Buffer): { start: number; ts: string | null } | null {
  let pos = at;
  if (pos > 0) {
    const n = readSync(fd, probe, 0, Math.min(PROBE_BYTES, size - pos + 1), pos - 1);
    const nl = probe.subarray(0, n).indexOf(10);
    if (nl < 0) return null;
    pos = pos - 1 + nl + 1;
  }
  if (pos >= size) return null;
  const n = readSync(fd, probe, 0, Math.min(64, size - pos), pos);
  const head = probe.toString('utf8', 0, n);
  return { start: pos, ts: head.startsWith(TS_PREFIX) ? head.slice(TS_PREFIX.length, TS_PREFIX.length + ISO_LENGTH) : null };
}

/**
 * A line-start offset in a plain log file before which every line is older than `iso`, found by
 * binary search on the ts each line starts with (files are appended in time order). Lines written a
 * little out of order (another thread's clock) are the caller's slack to absorb. Returns 0 when
 * unsure: pruning may only skip bytes, never hide a line.
 */
export function offsetBefore(path: string, size: number, iso: string): number {
  return bracket(path, size, iso).before;
}

/** A line-start offset from which every line is `iso` or newer (the file size when none is). */
export function offsetFrom(path: string, size: number, iso: string): number {
  return bracket(path, size, iso).after;
}

function bracket(path: string, size: number, iso: string): { before: number; after: number } {
  if (size < 1024 * 1024) return { before: 0, after: size };
  const fd = openSync(path, 'r');
  try {
    const probe = Buffer.allocUnsafe(PROBE_BYTES);
    let lo = 0;
    let hi = size;
    while (hi - lo > 64 * 1024) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const line = lineAfter(fd, mid, size, probe);
      if (!line || line.ts === null) return { before: lo, after: size };
      if (line.ts < iso) lo = line.start;
      else hi = mid;
    }
    const after = hi >= size ? size : (lineAfter(fd, hi, size, probe)?.start ?? size);
    return { before: lo, after };
  } finally {
    closeSync(fd);
  }
}
