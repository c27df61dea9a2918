import { closeSync, openSync, readSync } from 'node:fs';
import type { LogFile } from '../../recorder/log-files.js';

const CHUNK = 1024 * 1024;

/**
 * The last whole line in a plain file that contains `needle`, reading backwards from the end in
 * chunks: the tail of a log is where a dying session's last words are, so this rarely reads far.
 */
export function lastLineWith(file: LogFile, size: number, needle: string, maxBytes = 256 * 1024 * 1024): { offset: number; text: string } | null {
  if (file.gzipped || size === 0) return null;
  const pattern = Buffer.from(needle);
  const fd = openSync(file.path, 'r');
  try {
    let end = size;
    let carry = Buffer.alloc(0);
    while (end > 0 && size - end < maxBytes) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.allocUnsafe(end - start);
      readSync(fd, chunk, 0, end - start, start);
      const data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      // Only lines that end in a newline count; a torn tail is reported elsewhere.
      const limit = end === size ? data.lastIndexOf(10) : data.length - 1;
      const firstNl = start === 0 ? -1 : data.indexOf(10);
      const at = limit >= 0 ? data.lastIndexOf(pattern, limit) : -1;
      if (at > firstNl) {
        const lineStart = data.lastIndexOf(10, at) + 1;
        const lineEnd = data.indexOf(10, at);
        return { offset: start + lineStart, text: data.toString('utf8', lineStart, lineEnd) };
      }
      carry = Buffer.from(data.subarray(0, firstNl + 1 > 0 ? firstNl + 1 : 0));
      if (start === 0) break;
      end = start;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The bytes after a plain file's last newline, when it does not end with one (a torn last line). */
export function tornTail(file: LogFile, size: number): { offset: number; text: string } | null {
  if (file.gzipped || size === 0) return null;
  const fd = openSync(file.path, 'r');
  try {
    const length = Math.min(size, CHUNK);
    const tail = Buffer.allocUnsafe(length);
    readSync(fd, tail, 0, length, size - length);
    if (tail[length - 1] === 10) return null;
    const nl = tail.lastIndexOf(10);
    return { offset: size - length + nl + 1, text: tail.toString('utf8', nl + 1) };
  } finally {
    closeSync(fd);
  }
}
