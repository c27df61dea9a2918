import type { FileLastLine } from './last-line.js';
import { readLogLine } from './line-parse.js';
import type { LogSet } from './log-set.js';
import { readLinesAt } from './read-at.js';
import type { SkippedLine } from './skipped-lines.js';

const TORN_MESSAGE = 'the session was killed inside this line (writer killed mid-write?); a later session wrote after it';

/**
 * A line a dead session left torn that is no longer its file's last: a later session started in the
 * same data directory and appended after it. The torn line is then the session's last line in that
 * file that does not parse, or the line right after its last one that does not parse and names no
 * other session (torn before its session_id was written). `lasts`: the session's last line in each
 * file (sessionLastLines). Its tail being gone, only the torn tail
 * check (tornTail) would miss it, and health would call a death it can prove "without a trace".
 */
export async function tornSessionLine(set: LogSet, lasts: readonly FileLastLine[]): Promise<SkippedLine | undefined> {
  for (const last of lasts) {
    const { file } = last;
    const size = set.sizes.get(file.path) ?? 0;
    if (!readLogLine(last.text).ok) return torn(file, last.offset, last.text);
    const nextOffset = last.offset + Buffer.byteLength(last.text) + 1;
    if (nextOffset >= size) continue;
    const next = (await readLinesAt(file, [nextOffset]))[0];
    if (next && !readLogLine(next.text).ok && !next.text.includes('"session_id":"')) return torn(file, next.offset, next.text);
  }
  return undefined;
}

function torn(file: SkippedLine['file'], offset: number, text: string): SkippedLine {
  return { file, offset, code: 'truncated', message: TORN_MESSAGE, excerpt: text.slice(0, 120) };
}
