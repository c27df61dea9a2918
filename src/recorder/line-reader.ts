import { logBytes } from './log-bytes.js';
import type { LogFile } from './log-files.js';

export interface RawLine {
  readonly file: string;
  /** 1-based line number within the file. */
  readonly lineNumber: number;
  readonly text: string;
}

/**
 * Streams the lines of one log file (gzipped or not) without loading it whole. Lines end at `\n`
 * only, as for every other reader here (a lone `\r` in garbage is not a line break; a `\r` before
 * the `\n` is dropped), so line numbers agree across commands.
 */
export async function* readLines(file: LogFile): AsyncGenerator<RawLine> {
  const input = logBytes(file);
  let lineNumber = 0;
  let carry: Buffer = Buffer.alloc(0);
  const line = (bytes: Buffer, start: number, end: number): string => {
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    return bytes.toString('utf8', start, stop);
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
        lineNumber++;
        if (nl > start) {
          const text = line(data, start, nl);
          if (text.length > 0) yield { file: file.path, lineNumber, text };
        }
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length > 0) {
      lineNumber++;
      const text = line(carry, 0, carry.length);
      if (text.length > 0) yield { file: file.path, lineNumber, text };
    }
  } finally {
    input.destroy();
  }
}
