import type { StartWarning } from '../../engine/startup-warnings.js';
import { CLEAR_BELOW, CLEAR_SCREEN, CURSOR_HOME, printable } from '../../ui/ansi.js';
import type { DashboardStream } from '../../ui/terminal-dashboard.js';

const PREFIX = 'tradetrace paper: warning: ';

/** A frame shorter than this shows too little: the warnings are then said again under the last frame instead. */
const MIN_FRAME_ROWS = 12;
/** What the dashboard assumes of a terminal that reports no size. */
const DEFAULT_COLUMNS = 80;
const DEFAULT_ROWS = 24;

/** One start warning as the terminal line: one line, no control character from a symbol or a path. */
export function startWarningLine(warning: StartWarning): string {
  return `${PREFIX}${printable(warning.message)}`;
}

/** The rows `lines` take on a terminal `columns` wide: a longer line wraps onto the next. */
export function rowsTaken(lines: readonly string[], columns: number): number {
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / columns)), 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const HOME_OR_CLEAR = new RegExp(`${escapeRegExp(CLEAR_SCREEN)}|${escapeRegExp(CURSOR_HOME)}`, 'g');

/**
 * The terminal as the live dashboard sees it, less the rows pinned at its top. The dashboard draws
 * each frame from the cursor's home and clears the whole screen as it starts, which erased the start
 * warnings printed just before: here its home is the row under them, its clear clears only below
 * them, and it is told the terminal is that many rows shorter, so its frame still fits.
 */
export class PinnedRowsStream implements DashboardStream {
  /** Rows at the top the dashboard leaves alone (0: it draws as on the bare terminal). */
  pinned = 0;

  constructor(private readonly stream: DashboardStream) {}

  // A size the terminal does not report is 0, which the dashboard reads as unknown, as it does undefined.
  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  get columns(): number {
    return this.stream.columns ?? 0;
  }

  get rows(): number {
    const rows = this.stream.rows ?? 0;
    if (this.pinned === 0) return rows;
    return Math.max(1, (rows > 0 ? rows : DEFAULT_ROWS) - this.pinned);
  }

  get writableNeedDrain(): boolean {
    return this.stream.writableNeedDrain === true;
  }

  write(chunk: string): boolean {
    if (this.pinned === 0) return this.stream.write(chunk);
    // From home, newlines step down without scrolling: the row under the pinned lines, with no cursor code of our own.
    const top = `${CURSOR_HOME}${'\n'.repeat(this.pinned)}`;
    return this.stream.write(chunk.replace(HOME_OR_CLEAR, (code) => (code === CLEAR_SCREEN ? `${top}${CLEAR_BELOW}` : top)));
  }

  on(event: 'resize', listener: () => void): void {
    this.stream.on?.(event, listener);
  }

  off(event: 'resize', listener: () => void): void {
    this.stream.off?.(event, listener);
  }
}

interface TerminalSize {
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

function sizeOf(stream: NodeJS.WritableStream): TerminalSize {
  return stream as NodeJS.WritableStream & TerminalSize;
}

export interface StartWarningsOut {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Prints the start warnings on stderr, one line each, before trading begins. Under the live
 * dashboard (`frame`, drawing on a terminal) they are printed at the top of a cleared screen and the
 * frame is drawn below them; when they would leave the frame too few rows, they are not pinned and
 * the caller says them again once the dashboard has stopped (`'again_after_dashboard'`).
 */
export function printStartWarnings(out: StartWarningsOut, warnings: readonly StartWarning[], frame: PinnedRowsStream | undefined): 'printed' | 'pinned' | 'again_after_dashboard' {
  if (warnings.length === 0) return 'printed';
  const lines = warnings.map(startWarningLine);
  const text = `${lines.join('\n')}\n`;
  const stderr = sizeOf(out.stderr);
  // stderr elsewhere (a file, a pipe): the lines go there, and the dashboard cannot erase them.
  if (frame === undefined || stderr.isTTY !== true) {
    out.stderr.write(text);
    return 'printed';
  }
  const stdout = sizeOf(out.stdout);
  const columns = [stderr.columns, stdout.columns].find((c) => c !== undefined && c > 0) ?? DEFAULT_COLUMNS;
  const rows = stdout.rows !== undefined && stdout.rows > 0 ? stdout.rows : DEFAULT_ROWS;
  const taken = rowsTaken(lines, columns);
  if (rows - taken < MIN_FRAME_ROWS) {
    out.stderr.write(text);
    return 'again_after_dashboard';
  }
  out.stdout.write(`${CURSOR_HOME}${CLEAR_SCREEN}`);
  out.stderr.write(text);
  frame.pinned = taken;
  return 'pinned';
}
