// Test helper: every line of every file (rotated and gzipped included) of a logs directory, parsed and validated.
import { listLogFiles } from '../log-files.js';
import { readLines } from '../line-reader.js';
import { parseLine } from '../line-parser.js';
import type { AnyEventLine } from '../events/catalog.js';
import type { Channel } from '../channels.js';

export interface ReadBack {
  readonly lines: AnyEventLine[];
  /** Lines that did not parse or validate, with where they are. */
  readonly bad: string[];
  readonly files: string[];
}

export async function readLogs(logsDir: string, channels?: readonly Channel[]): Promise<ReadBack> {
  const lines: AnyEventLine[] = [];
  const bad: string[] = [];
  const files = listLogFiles(logsDir, channels);
  for (const file of files) {
    for await (const raw of readLines(file)) {
      const parsed = parseLine(raw.text, true);
      if (parsed.ok) lines.push(parsed.value);
      else bad.push(`${raw.file}:${raw.lineNumber}: ${parsed.error.code} ${parsed.error.message}: ${raw.text.slice(0, 200)}`);
    }
  }
  return { lines, bad, files: files.map((f) => f.path) };
}
