import { closeSync, openSync, readSync } from 'node:fs';
import type { LogFile } from '../../recorder/log-files.js';
import { gunzipChunks } from '../scan/gunzip-chunks.js';
import type { FoundLine } from '../scan/parallel-scan.js';

/** The whole lines starting at `offsets` in one file: a pread each for plain files, one stream for gzip. */
export async function readLinesAt(file: LogFile, offsets: readonly number[]): Promise<FoundLine[]> {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  if (file.gzipped) return readGzipLinesAt(file, sorted);
  const out: FoundLine[] = [];
  const fd = openSync(file.path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(8192);
    for (const offset of sorted) {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, offset);
        const nl = buffer.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          out.push({ file, offset, text: buffer.toString('utf8', 0, nl) });
          break;
        }
        if (n < buffer.length) break;
        buffer = Buffer.allocUnsafe(buffer.length * 4);
      }
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

async function readGzipLinesAt(file: LogFile, sorted: readonly number[]): Promise<FoundLine[]> {
  const out: FoundLine[] = [];
  let base = 0;
  let carry = Buffer.alloc(0);
  let next = 0;
  for await (const chunk of gunzipChunks(file.path)) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const end = data.lastIndexOf(10) + 1;
    while (next < sorted.length && (sorted[next] ?? 0) < base + end) {
      const at = (sorted[next] ?? 0) - base;
      out.push({ file, offset: sorted[next] ?? 0, text: data.toString('utf8', at, data.indexOf(10, at)) });
      next++;
    }
    if (next >= sorted.length) break;
    base += end;
    carry = Buffer.from(data.subarray(end));
  }
  return out;
}
