import { basename } from 'node:path';
import type { UnreadableFile } from '../query/unreadable-files.js';

/** The lines one file could not give: how many, and the first line numbers (ascending). */
export interface FileSkips {
  readonly path: string;
  readonly count: number;
  readonly firstLines: readonly number[];
}

/** How many line numbers each file shows, and how many files the line names. */
export const SHOWN_LINES = 2;
const SHOWN_FILES = 4;

function fileText(f: FileSkips, onlyFile: boolean): string {
  const more = f.count > f.firstLines.length ? ', …' : '';
  const lines = `line${f.count === 1 ? '' : 's'} ${f.firstLines.join(', ')}${more}`;
  return `${basename(f.path)} (${onlyFile ? '' : `${f.count}: `}${lines})`;
}

/**
 * The one line every read command prints for the lines it had to skip, whatever their number:
 * `skipped 1150 unreadable lines in system.jsonl (1148: lines 31, 32, …), decisions.jsonl (2: lines 4, 7)`.
 * Empty when nothing was skipped. One line, never one per skipped line: a log full of garbage must
 * not bury the answer.
 */
export function skipSummary(files: readonly FileSkips[]): string {
  const total = files.reduce((sum, f) => sum + f.count, 0);
  if (total === 0) return '';
  const shown = files.filter((f) => f.count > 0);
  const parts = shown.slice(0, SHOWN_FILES).map((f) => fileText(f, shown.length === 1));
  const rest = shown.length - SHOWN_FILES;
  return `skipped ${total} unreadable line${total === 1 ? '' : 's'} in ${parts.join(', ')}${rest > 0 ? ` and ${rest} more file${rest === 1 ? '' : 's'}` : ''}`;
}

/**
 * The line for a log file a query could not read, or not to its end; the query went on without it:
 * `could not read logs/decisions.….jsonl.gz past its first 59873 lines: gzip data ends early (Z_BUF_ERROR); skipped the rest of it`.
 * `linesRead`: the whole lines read before the failure.
 */
export function unreadableFileNote(file: UnreadableFile, linesRead: number): string {
  const why = `${file.reason}${file.errno ? ` (${file.errno})` : ''}`;
  if (file.readBytes === 0) return `could not read ${file.path}: ${why}; skipped the file`;
  return `could not read ${file.path} past its first ${linesRead} line${linesRead === 1 ? '' : 's'}: ${why}; skipped the rest of it`;
}
