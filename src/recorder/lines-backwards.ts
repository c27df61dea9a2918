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
    // The start of a line cut by the chunk boundary, in file order, kept until the chunk before
    // completes it: as parts, joined once, so a line many chunks long is copied once, not once per chunk.
    let carry: Buffer[] = [];
    let seenNewline = false;
    while (end > 0 && size - end < maxBytes) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.allocUnsafe(end - start);
      // Short: the file at the path is no longer as long as `size` (rotated or truncated since it was
      // measured). The rest of the buffer is not the file's: stop rather than read it as lines.
      if (readSync(fd, chunk, 0, chunk.length, start) < chunk.length) return;
      end = start;
      let data: Buffer;
      if (!seenNewline) {
        // Until the first newline, every byte belongs to the torn tail.
        const lastNl = chunk.lastIndexOf(10);
        if (lastNl < 0) continue;
        seenNewline = true;
        data = chunk.subarray(0, lastNl + 1);
      } else if (start > 0 && !chunk.includes(10)) {
        // All of it inside one line that began further back.
        carry.unshift(chunk);
        continue;
      } else {
        data = carry.length > 0 ? Buffer.concat([chunk, ...carry]) : chunk;
      }
      // Bytes before the first newline finish a line that began in the chunk before.
      const cut = start > 0 ? data.indexOf(10) + 1 : 0;
      if (cut < data.length) yield { base: start + cut, data: data.subarray(cut) };
      carry = cut > 0 ? [Buffer.from(data.subarray(0, cut))] : [];
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
