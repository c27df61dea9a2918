import type { LogIndex } from '../index/log-index.js';
import type { LogSet } from './log-set.js';
import { readLinesAt } from './read-at.js';
import type { SkippedLines } from './skipped-lines.js';

/**
 * What an indexed query reports as unreadable, as the scan it replaces would: the lines the index
 * could not parse, and a torn last line (the writer killed mid-write), which the index stops
 * before. `files`: only these paths (the files the query reads); every indexed file without it.
 */
export async function reportIndexSkips(set: LogSet, index: LogIndex, skipped: SkippedLines, files?: ReadonlySet<string>): Promise<void> {
  for (const item of index.malformed()) if (!files || files.has(item.file.path)) skipped.add(item);
  for (const entry of index.files) {
    const size = set.sizes.get(entry.file.path) ?? 0;
    if ((files && !files.has(entry.file.path)) || entry.file.gzipped || size <= entry.meta.indexedTo) continue;
    const text = (await readLinesAt(entry.file, [entry.meta.indexedTo]))[0]?.text ?? '';
    const lineNumber = entry.meta.segments.reduce((n, g) => n + g.lines, 0) + 1;
    skipped.add({ file: entry.file, offset: entry.meta.indexedTo, code: 'truncated', message: 'the file ends inside this line (writer killed mid-write?)', excerpt: text.slice(0, 120), lineNumber });
  }
}
