import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { LogFile } from './log-files.js';

export interface RawLine {
  readonly file: string;
  /** 1-based line number within the file. */
  readonly lineNumber: number;
  readonly text: string;
}

/** Streams the lines of one log file (gzipped or not) without loading it whole. */
export async function* readLines(file: LogFile): AsyncGenerator<RawLine> {
  const stream = createReadStream(file.path);
  const input = file.gzipped ? stream.pipe(createGunzip()) : stream;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      lineNumber++;
      if (text.length === 0) continue;
      yield { file: file.path, lineNumber, text };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
