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
  /** The subset of `bad` that is the truncated last line of its file: the line in flight when a writer was killed. */
  readonly tornTails: string[];
  readonly files: string[];
}

export async function readLogs(logsDir: string, channels?: readonly Channel[]): Promise<ReadBack> {
  const lines: AnyEventLine[] = [];
  const bad: string[] = [];
  const tornTails: string[] = [];
  const files = listLogFiles(logsDir, channels);
  for (const file of files) {
    let lastLine = 0;
    let lastTruncated: { lineNumber: number; entry: string } | undefined;
    for await (const raw of readLines(file)) {
      lastLine = raw.lineNumber;
      const parsed = parseLine(raw.text, true);
      if (parsed.ok) {
        lines.push(parsed.value);
        continue;
      }
      const entry = `${raw.file}:${raw.lineNumber}: ${parsed.error.code} ${parsed.error.message}: ${raw.text.slice(0, 200)}`;
      bad.push(entry);
      if (parsed.error.code === 'truncated') lastTruncated = { lineNumber: raw.lineNumber, entry };
    }
    if (lastTruncated && lastTruncated.lineNumber === lastLine) tornTails.push(lastTruncated.entry);
  }
  return { lines, bad, tornTails, files: files.map((f) => f.path) };
}
