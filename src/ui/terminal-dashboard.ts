import { CLEAR_BELOW, CLEAR_LINE_END, CLEAR_SCREEN, CURSOR_HOME, HIDE_CURSOR, SHOW_CURSOR } from './ansi.js';
import { ConsoleBehindFrame } from './console-behind-frame.js';
import type { DashboardViewSource } from './dashboard-view.js';
import { renderDashboard } from './render-dashboard.js';
import { plainStamp, renderEventLine, renderSummaryLine } from './render-plain.js';

/** The part of a stream the dashboard uses; process.stdout and any Writable fit. */
export interface DashboardStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  readonly writableNeedDrain?: boolean;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export interface TerminalDashboardOptions {
  readonly source: DashboardViewSource;
  readonly stream: DashboardStream;
  /** False turns the dashboard off entirely (ENABLE_LIVE_DASHBOARD=false). Default true. */
  readonly enabled?: boolean;
  /** Upper bound on redraws per second on a terminal. Default 4. */
  readonly maxFps?: number;
  /** Plain output: one summary line this often. Default 5000. */
  readonly summaryIntervalMs?: number;
  /** Default: on for a terminal unless NO_COLOR is set. */
  readonly color?: boolean;
  /** Where NO_COLOR and TERM are read. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called every tick: the engine registers the dashboard as daemon loop `LiveDashboard`. */
  readonly beat?: () => void;
  readonly now?: () => number;
  /** A frame that fails to build is reported here and skipped; the next tick tries again. */
  readonly onError?: (error: unknown) => void;
}

export type DashboardMode = 'tty' | 'plain' | 'off';

const PLAIN_TICK_MS = 250;
/** A frame is redrawn at least this often even without changes: the clock and beat ages move. */
const IDLE_REDRAW_MS = 1000;

/**
 * Draws the dashboard on its own timer. The engine only updates the model; this reads it at most
 * `maxFps` times a second (many updates between two frames cost one frame), in place on a
 * terminal, or as plain lines when output goes to a file, a pipe or a TERM=dumb terminal. A stream
 * that is not keeping up (needs drain) skips frames instead of queueing them.
 */
export class TerminalDashboard {
  static readonly LOOP_NAME = 'LiveDashboard';
  readonly name = TerminalDashboard.LOOP_NAME;
  readonly mode: DashboardMode;
  /** Frames (terminal) or lines (plain) written so far. */
  written = 0;
  private readonly frameMs: number;
  private readonly color: boolean;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private drawnVersion = -1;
  private drawnAt = -Infinity;
  private summaryAt = -Infinity;
  private printedSeq = 0;
  private sizeChanged = false;
  private stopped = false;
  private readonly consoles: ConsoleBehindFrame[] = [];
  private readonly onResize = (): void => {
    this.sizeChanged = true;
  };

  constructor(private readonly options: TerminalDashboardOptions) {
    const env = options.env ?? process.env;
    // TERM=dumb is a terminal that cannot move the cursor or clear (an editor's shell buffer, a CI
    // log viewer): a frame drawn there piles up as escape codes, so it gets the lines a pipe gets.
    this.mode = options.enabled === false ? 'off' : options.stream.isTTY === true && env['TERM'] !== 'dumb' ? 'tty' : 'plain';
    const fps = options.maxFps ?? 4;
    if (!(fps > 0 && fps <= 60)) throw new RangeError(`maxFps must be in (0, 60], got ${fps}`);
    this.frameMs = this.mode === 'tty' ? Math.ceil(1000 / fps) : PLAIN_TICK_MS;
    this.color = options.color ?? (this.mode === 'tty' && !env['NO_COLOR']);
    this.now = options.now ?? Date.now;
  }

  /**
   * The stream to give a console writer (the alerts' console notifier) that shares this terminal.
   * A live frame ends by clearing the screen below it, so a line written under it was erased within
   * a frame, unseen. With a live frame, from now until its last frame, lines for a terminal are
   * held (the frame shows what they are about: its ALERTS panel) and written under the last frame
   * at stop, where the scrollback keeps them. Plain or off, or `target` not a terminal: written at once.
   */
  consoleBehindFrame(target: NodeJS.WritableStream & { readonly isTTY?: boolean }, overflowNote: (count: number) => string): NodeJS.WritableStream {
    const held = new ConsoleBehindFrame({ target, frameLive: () => this.mode === 'tty' && !this.stopped, overflowNote });
    this.consoles.push(held);
    return held;
  }

  start(): void {
    if (this.mode === 'off' || this.timer) return;
    if (this.mode === 'tty') {
      this.options.stream.write(HIDE_CURSOR + CLEAR_SCREEN);
      this.options.stream.on?.('resize', this.onResize);
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), this.frameMs);
    this.timer.unref();
  }

  private tick(): void {
    this.options.beat?.();
    try {
      if (this.mode === 'tty') this.drawFrame(false);
      else this.printLines(false);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private drawFrame(force: boolean): void {
    const { source, stream } = this.options;
    const now = this.now();
    const changed = source.version !== this.drawnVersion || this.sizeChanged || now - this.drawnAt >= IDLE_REDRAW_MS;
    if (!force && (!changed || stream.writableNeedDrain === true)) return;
    this.drawnVersion = source.version;
    this.drawnAt = now;
    this.sizeChanged = false;
    // A pty created without a size reports 0 x 0 (script, some CI runners, a container before its
    // first resize): drawn to that, every frame was clamped to its first few characters.
    const width = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
    const height = stream.rows !== undefined && stream.rows > 0 ? stream.rows : 24;
    const text = renderDashboard(source.view(now), { width, height: height - 1, color: this.color });
    stream.write(`${CURSOR_HOME}${text.split('\n').join(`${CLEAR_LINE_END}\n`)}${CLEAR_LINE_END}\n${CLEAR_BELOW}`);
    this.written++;
  }

  private printLines(force: boolean): void {
    const { source, stream } = this.options;
    if (!force && stream.writableNeedDrain === true) return;
    const now = this.now();
    const summaryDue = force || now - this.summaryAt >= (this.options.summaryIntervalMs ?? 5000);
    const fresh = source.version !== this.drawnVersion;
    if (!summaryDue && !fresh) return;
    this.drawnVersion = source.version;
    const view = source.view(now);
    const lines: string[] = [];
    const first = view.events[0];
    const lastSeq = view.events.at(-1)?.seq ?? this.printedSeq;
    if (first && first.seq > this.printedSeq + 1) {
      lines.push(`${plainStamp(first.timestamp)} ... ${first.seq - this.printedSeq - 1} dashboard events not shown (all are in logs/dashboard.jsonl)`);
    }
    for (const event of view.events) if (event.seq > this.printedSeq) lines.push(renderEventLine(event));
    this.printedSeq = lastSeq;
    if (summaryDue) {
      lines.push(renderSummaryLine(view));
      this.summaryAt = now;
    }
    if (lines.length > 0) {
      stream.write(`${lines.join('\n')}\n`);
      this.written += lines.length;
    }
  }

  /**
   * Stops the timer and writes a last frame (or the last lines and a summary), restoring the cursor;
   * then the console lines held while the frame was live (see consoleBehindFrame).
   */
  stop(): Promise<void> {
    if (this.mode === 'off') return Promise.resolve();
    const wasRunning = this.timer !== undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (wasRunning) this.drawLast();
    this.releaseHeldLines();
    return Promise.resolve();
  }

  /**
   * Writes the console lines held behind the frame now, and holds no more: at stop, and on a
   * shutdown cut short (a second signal), which exits before the dashboard's own stop has run.
   */
  releaseHeldLines(): void {
    this.stopped = true;
    for (const held of this.consoles) {
      try {
        held.release();
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  private drawLast(): void {
    try {
      if (this.mode === 'tty') this.drawFrame(true);
      else this.printLines(true);
    } catch (error) {
      this.options.onError?.(error);
    }
    // The terminal goes back to the operator even when the last frame failed: a hidden cursor and a
    // resize listener left behind outlive the dashboard.
    if (this.mode === 'tty') {
      this.options.stream.off?.('resize', this.onResize);
      try {
        this.options.stream.write(SHOW_CURSOR);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
