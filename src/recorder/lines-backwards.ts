import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1024 * 1024;

/** Whole lines of a file, each ending in `\n`, that start at file offset `base`. */
export interface LineRegion {
  readonly base: number;
  readonly data: Buffer;
}

export interface BackwardsOptions {
  /** Read the file as if it ended here (the size a query saw when it began); default: its size now. */
  readonly size?: number;
  /** Stop after reading this many bytes from the end. */
  readonly maxBytes?: number;
}

/**
 * The whole lines of a plain (not gzipped) log file in regions read from the end, last region
 * first: what a log's tail says is found without reading the file. A torn last line (no newline:
 * the writer was killed mid-write) is not a line and is passed over, however long it is.
 */
export function* regionsBackwards(path: string, options: BackwardsOptions = {}): Generator<LineRegion> {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const fd = openSync(path, 'r');
  try {
    const size = options.size ?? fstatSync(fd).size;
    let end = size;
    // The start of a line cut by the chunk boundary, kept until the chunk before completes it.
    let carry = Buffer.alloc(0);
    let seenNewline = false;
    while (end > 0 && size - end < maxBytes) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.allocUnsafe(end - start);
      // Short: the file at the path is no longer as long as `size` (rotated or truncated since it was
      // measured). The rest of the buffer is not the file's: stop rather than read it as lines.
      if (readSync(fd, chunk, 0, chunk.length, start) < chunk.length) return;
      end = start;
      let data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      if (!seenNewline) {
        // Until the first newline, every byte belongs to the torn tail.
        const lastNl = data.lastIndexOf(10);
        if (lastNl < 0) continue;
        seenNewline = true;
        data = data.subarray(0, lastNl + 1);
      }
      // Bytes before the first newline finish a line that began in the chunk before.
      const cut = start > 0 ? data.indexOf(10) + 1 : 0;
      if (start > 0 && cut === 0) {
        carry = Buffer.from(data);
        continue;
      }
      if (cut < data.length) yield { base: start + cut, data: data.subarray(cut) };
      carry = Buffer.from(data.subarray(0, cut));
    }
  } finally {
    closeSync(fd);
  }
}

/** The whole lines of a plain log file, last first (see regionsBackwards); empty lines are passed over. */
export function* linesBackwards(path: string, maxBytes = Number.POSITIVE_INFINITY): Generator<string> {
  for (const { data } of regionsBackwards(path, { maxBytes })) {
    let lineEnd = data.length - 1;
    while (lineEnd >= 0) {
      const nl = lineEnd > 0 ? data.lastIndexOf(10, lineEnd - 1) : -1;
      if (lineEnd > nl + 1) yield data.toString('utf8', nl + 1, lineEnd);
      lineEnd = nl;
    }
  }
}
