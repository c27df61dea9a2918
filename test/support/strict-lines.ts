import { existsSync, readFileSync } from 'node:fs';
import type { AnyEventLine } from '../../src/recorder/events/catalog.js';
import { parseLine } from '../../src/recorder/line-parser.js';

/** Every line of a log file, each held to the event catalog (a test fails on one invalid line); none when the file is absent. */
export function readStrictLines(file: string): AnyEventLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(`invalid line ${text}: ${parsed.error.message}`);
    return parsed.value;
  });
}
