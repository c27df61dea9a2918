import { skipSummary, SHOWN_LINES, type FileSkips } from '../render/skip-summary.js';

/**
 * Skipped lines known by file and line number (the alert rules' replay and tailer report them so),
 * counted for the same one-line summary the query commands print. Memory is per file, not per line.
 */
export class SkipTally {
  private files = new Map<string, { count: number; first: number[] }>();

  add(path: string, lineNumber: number): void {
    const tally = this.files.get(path) ?? { count: 0, first: [] };
    tally.count++;
    // Lines mostly come in order: past the first few, a later line changes nothing to sort.
    const last = tally.first[tally.first.length - 1];
    if (tally.first.length < SHOWN_LINES || (last !== undefined && lineNumber < last)) {
      tally.first = [...tally.first, lineNumber].sort((a, b) => a - b).slice(0, SHOWN_LINES);
    }
    this.files.set(path, tally);
  }

  get count(): number {
    let total = 0;
    for (const t of this.files.values()) total += t.count;
    return total;
  }

  /** The summary line ('' when nothing was skipped), then starts over: a --follow prints each batch once. */
  take(): string {
    const files: FileSkips[] = [...this.files].map(([path, t]) => ({ path, count: t.count, firstLines: t.first }));
    this.files = new Map();
    return skipSummary(files);
  }
}
