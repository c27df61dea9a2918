import { closeSync, openSync, readSync } from 'node:fs';
import { lineNumberAt, type SkippedLine, type SkippedLines } from './skipped-lines.js';

/** A line of an intent the query could not read: where it is. */
export interface DamagedLine {
  readonly path: string;
  readonly line: number;
}

/** A line's longest stretch read to look for its intent id in: the header, where the id is, comes first. */
const HEAD_BYTES = 4096;

/** The first HEAD_BYTES of the line at `offset` of a plain file; '' for a .gz (no reading at an offset) or on any error. */
function headOf(item: SkippedLine): string {
  if (item.file.gzipped) return item.excerpt;
  let fd: number | undefined;
  try {
    fd = openSync(item.file.path, 'r');
    const buffer = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buffer, 0, HEAD_BYTES, item.offset);
    const text = buffer.subarray(0, n).toString('latin1');
    const end = text.indexOf('\n');
    return end >= 0 ? text.slice(0, end) : text;
  } catch {
    return item.excerpt;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The skipped lines of the order log that belong to each of `intentIds` (their text still holds
 * `"intent_id":"<id>"`): an ORDER_CONTEXT with a damaged byte left its intent `FILLED 0 attempts`
 * with nothing saying a line of it was unread. Reads a few KB per skipped line of the order files.
 */
export async function damagedLinesOf(skipped: SkippedLines, intentIds: readonly string[]): Promise<Map<string, DamagedLine[]>> {
  const out = new Map<string, DamagedLine[]>();
  if (intentIds.length === 0) return out;
  for (const item of skipped.all()) {
    if (item.file.channel !== 'orders') continue;
    const head = headOf(item);
    for (const id of intentIds) {
      if (!head.includes(`"intent_id":"${id}"`)) continue;
      const line = item.lineNumber ?? (await lineNumberAt(item.file, item.offset));
      const list = out.get(id) ?? [];
      if (!list.some((d) => d.path === item.file.path && d.line === line)) list.push({ path: item.file.path, line });
      out.set(id, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
  return out;
}
