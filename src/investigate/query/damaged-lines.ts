import { basename } from 'node:path';
import type { Channel } from '../../recorder/channels.js';
import type { EventType } from '../../recorder/events/catalog.js';
import type { LineProblemCode } from '../../recorder/line-header-parse.js';
import type { INVALID_FIELDS } from './line-fields.js';
import { lineNumberAt, type SkippedLine, type SkippedLines } from './skipped-lines.js';

/** Every problem a line's parse or field check can have: a Record, so a new parse code cannot be left out. */
const PROBLEMS: Record<LineProblemCode | typeof INVALID_FIELDS, true> = { not_json: true, not_an_object: true, unknown_event_type: true, invalid_fields: true, truncated: true, not_utf8: true };

/**
 * The unreadable lines of `channel` a query met that look like `type`'s line of `sessionId` (both
 * named in the part of the line kept as its excerpt), in file order. A query that found no such line
 * readable tells "the line is damaged, here" from "there is no such line" with these.
 */
export function damagedLines(skipped: SkippedLines, channel: Channel, type: EventType, sessionId: string): SkippedLine[] {
  return Object.keys(PROBLEMS)
    .flatMap((code) => skipped.withCode(code))
    .filter((s) => s.file.channel === channel && s.excerpt.includes(`"${type}"`) && s.excerpt.includes(`"${sessionId}"`))
    .sort((a, b) => (a.file.path !== b.file.path ? (a.file.path < b.file.path ? -1 : 1) : a.offset - b.offset));
}

/** `audit.jsonl:5`: where a damaged line is, as health names it. */
export async function lineAt(line: SkippedLine): Promise<string> {
  line.lineNumber ??= await lineNumberAt(line.file, line.offset);
  return `${basename(line.file.path)}:${line.lineNumber}`;
}
