import { basename } from 'node:path';
import type { Channel } from '../../recorder/channels.js';
import type { EventType } from '../../recorder/events/catalog.js';
import { lineNumberAt, type SkippedLine, type SkippedLines } from './skipped-lines.js';

/**
 * The unreadable lines of `channel` a query met that look like `type`'s line of `sessionId` (both
 * named in the part of the line kept as its excerpt), in file order. A query that found no such line
 * readable tells "the line is damaged, here" from "there is no such line" with these.
 */
export function damagedLines(skipped: SkippedLines, channel: Channel, type: EventType, sessionId: string): SkippedLine[] {
  return skipped.all().filter((s) => s.file.channel === channel && s.excerpt.includes(`"${type}"`) && s.excerpt.includes(`"${sessionId}"`));
}

/** `audit.jsonl:5`: where a damaged line is, as health names it. */
export async function lineAt(line: SkippedLine): Promise<string> {
  line.lineNumber ??= await lineNumberAt(line.file, line.offset);
  return `${basename(line.file.path)}:${line.lineNumber}`;
}
