import { hasLogLineShape, nulLineTest } from '../scan/line-shape.js';

/**
 * One pass over a region of whole lines for the index: every decision_id / intent_id with the start
 * of its line, the number of lines, and the lines that are not a recorder line at all.
 */
export interface ExtractedRegion {
  /** key -> line starts (absolute offsets), in file order. */
  readonly keys: Map<string, number[]>;
  readonly lines: number;
  /** Lines that do not look like `{"ts":"...}`: offset, 0-based line index in the region, excerpt. */
  readonly malformed: { offset: number; line: number; excerpt: string }[];
}

const NL = 10;
const KEY_NEEDLES = [Buffer.from('"decision_id":"'), Buffer.from('"intent_id":"')];
const QUOTE = 34;
const MAX_KEY = 256;

export function extractRegion(region: Buffer, base: number, keys: Map<string, number[]> = new Map()): ExtractedRegion {
  for (const needle of KEY_NEEDLES) {
    let i = region.indexOf(needle);
    while (i >= 0) {
      const valueStart = i + needle.length;
      const valueEnd = region.indexOf(QUOTE, valueStart);
      const lineStart = region.lastIndexOf(NL, i) + 1;
      const lineEnd = region.indexOf(NL, i);
      if (valueEnd > valueStart && valueEnd < lineEnd && valueEnd - valueStart <= MAX_KEY) {
        const key = region.toString('latin1', valueStart, valueEnd);
        const offset = base + lineStart;
        const list = keys.get(key);
        if (!list) keys.set(key, [offset]);
        else if (list[list.length - 1] !== offset) list.push(offset);
      }
      i = region.indexOf(needle, lineEnd + 1);
    }
  }
  // Line count and shape check: the only per-line loop, done once per byte when the index is built.
  const malformed: ExtractedRegion['malformed'] = [];
  let lines = 0;
  let start = 0;
  // The same test as a scan's (forEachMisshapen), so a scan and an index lookup count the same lines.
  const holdsNul = nulLineTest(region);
  while (start < region.length) {
    const end = region.indexOf(NL, start);
    if (end < 0) break;
    if (end > start && (!hasLogLineShape(region, start, end) || holdsNul(start, end))) {
      malformed.push({ offset: base + start, line: lines, excerpt: region.toString('utf8', start, Math.min(end, start + 120)) });
    }
    lines++;
    start = end + 1;
  }
  return { keys, lines, malformed };
}
