import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 256 * 1024;

/**
 * The whole lines of a plain (not gzipped) log file, last first, read in chunks from the end: what
 * a log's tail says is found without reading the file. A torn last line (no newline: the writer was
 * killed mid-write) is not a line and is passed over. Stops after `maxBytes` read.
 */
export function* linesBackwards(path: string, maxBytes = Number.POSITIVE_INFINITY): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let end = size;
    // Bytes of a line cut by the chunk boundary, kept until the chunk before completes it.
    let carry = Buffer.alloc(0);
    let first = true;
    while (end > 0 && size - end < maxBytes) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.allocUnsafe(end - start);
      readSync(fd, chunk, 0, chunk.length, start);
      let data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      if (first) {
        // Until the first newline, every byte belongs to the torn tail, however long it is.
        const lastNl = data.lastIndexOf(10);
        if (lastNl < 0) {
          end = start;
          continue;
        }
        first = false;
        data = data.subarray(0, lastNl + 1);
      }
      let lineEnd = data.length - 1;
      for (;;) {
        const nl = lineEnd > 0 ? data.lastIndexOf(10, lineEnd - 1) : -1;
        if (nl < 0 && start > 0) break;
        if (lineEnd > nl + 1) yield data.toString('utf8', nl + 1, lineEnd);
        if (nl < 0) break;
        lineEnd = nl;
      }
      carry = Buffer.from(data.subarray(0, Math.max(0, lineEnd + 1)));
      end = start;
    }
  } finally {
    closeSync(fd);
  }
}
