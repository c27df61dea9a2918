/**
 * The shape every recorder line has: `{"ts":"` first and `}` last, checked byte by byte without
 * decoding. A line without it is garbage, a torn write or another program's output: no query can use
 * it, so every reader counts it as skipped, whether or not it holds what the query looks for. (A line
 * with the shape can still fail to parse; that is found when a query parses it.) The index builder
 * uses the same test, so a scan and an index lookup count the same lines.
 */
export function hasLogLineShape(buffer: Buffer, start: number, end: number): boolean {
  // A CRLF line (a log copied through Windows) still parses: its \r is whitespace to JSON.
  const last = buffer[end - 1] === 0x0d ? end - 2 : end - 1;
  return buffer[last] === 0x7d && buffer[start] === 0x7b && buffer[start + 2] === 0x74 && buffer[start + 3] === 0x73 && buffer[start + 6] === 0x22;
}

/**
 * Whether a line of `region` holds a NUL byte, asked of its lines in order: the recorder never
 * writes one (JSON escapes control characters), while a crash on some file systems leaves a run of
 * them in place of data, and a line damaged so keeps its shape when the NULs fall inside it. Such a
 * line must be counted as unreadable even by a scan that does not parse it (its needle may be the
 * damaged part). One memchr pass over the region in all, not a search per line.
 */
export function nulLineTest(region: Buffer): (start: number, end: number) => boolean {
  // -2: not searched yet; -1: no NUL from the last search on.
  let next = -2;
  return (start, end) => {
    if (next !== -1 && next < start) next = region.indexOf(0, start);
    return next !== -1 && next < end;
  };
}

/**
 * Calls `onLine` with the start and end of each non-empty line of `region` (whole lines, ending in a
 * newline) that starts in [from, stopAt) and lacks the shape or holds a NUL byte. One indexOf per
 * line: about as much work again as finding the needles, paid only by scans that report skipped lines.
 */
export function forEachMisshapen(region: Buffer, from: number, stopAt: number, onLine: (start: number, end: number) => void): void {
  const holdsNul = nulLineTest(region);
  let start = from;
  while (start < region.length && start < stopAt) {
    const end = region.indexOf(10, start);
    if (end < 0) return;
    if (end > start && (!hasLogLineShape(region, start, end) || holdsNul(start, end))) onLine(start, end);
    start = end + 1;
  }
}
