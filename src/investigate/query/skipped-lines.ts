import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { LogFile } from '../../recorder/log-files.js';
import { tornTail } from './last-line.js';
import type { LogSet } from './log-set.js';

export interface SkippedLine {
  readonly file: LogFile;
  readonly offset: number;
  readonly code: string;
  readonly message: string;
  readonly excerpt: string;
  /** Known when the reader counted lines (index build); else counted on report. */
  lineNumber?: number;
}

/** 1-based number of the line starting at `offset`: counts newlines before it, only when reporting. */
export async function lineNumberAt(file: LogFile, offset: number): Promise<number> {
  let count = 1;
  if (file.gzipped) {
    let seen = 0;
    for await (const chunk of createReadStream(file.path).pipe(createGunzip())) {
      const data = chunk as Buffer;
      const upto = Math.min(data.length, offset - seen);
      for (let i = data.indexOf(10); i >= 0 && i < upto; i = data.indexOf(10, i + 1)) count++;
      seen += data.length;
      if (seen >= offset) break;
    }
    return count;
  }
  const fd = openSync(file.path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (let pos = 0; pos < offset; pos += buffer.length) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, offset - pos), pos);
      if (n === 0) break;
      for (let i = buffer.indexOf(10); i >= 0 && i < n; i = buffer.indexOf(10, i + 1)) count++;
    }
    return count;
  } finally {
    closeSync(fd);
  }
}

/** Lines in every file of the set (a torn last line counts): what "searched N lines" reports when no index knows. */
export async function countLines(set: LogSet): Promise<number> {
  let total = 0;
  for (const file of set.files) {
    const size = set.sizes.get(file.path) ?? 0;
    const newlines = (await lineNumberAt(file, file.gzipped ? Number.MAX_SAFE_INTEGER : size)) - 1;
    total += newlines + (tornTail(file, size) ? 1 : 0);
  }
  return total;
}

/** Lines a query could not use: never fatal, always reported at the end with file and line number. */
export class SkippedLines {
  private readonly items = new Map<string, SkippedLine>();

  add(item: SkippedLine): void {
    this.items.set(`${item.file.path}:${item.offset}`, item);
  }

  get count(): number {
    return this.items.size;
  }

  async list(): Promise<SkippedLine[]> {
    const all = [...this.items.values()].sort((a, b) => (a.file.path === b.file.path ? a.offset - b.offset : a.file.path < b.file.path ? -1 : 1));
    for (const item of all) item.lineNumber ??= await lineNumberAt(item.file, item.offset);
    return all;
  }

  /** `skipped 2 unreadable lines:` then `  decisions.jsonl:57  truncated: ...` per line. */
  async report(): Promise<string> {
    if (this.items.size === 0) return '';
    const rows = (await this.list()).map(
      (s) => `  ${basename(s.file.path)}:${s.lineNumber ?? '?'}  ${s.code}: ${s.message}  ${JSON.stringify(s.excerpt)}`,
    );
    return `skipped ${this.items.size} unreadable line${this.items.size === 1 ? '' : 's'}:\n${rows.join('\n')}\n`;
  }
}
