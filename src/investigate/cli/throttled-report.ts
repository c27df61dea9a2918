/**
 * A --follow command's report of skipped lines: one summary line for what was noted since the last
 * one, printed soon after the first (a catch-up burst of garbage is one line) and then at most every
 * `everyMs`, so a log that keeps growing garbage cannot flood the terminal line by line.
 */
export class ThrottledReport {
  private timer: NodeJS.Timeout | null = null;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly write: (text: string) => void,
    /** The summary of what was noted since the last call ('' for nothing); starts a new batch. */
    private readonly take: () => string | Promise<string>,
    private readonly everyMs = 10_000,
  ) {}

  /** Something was noted: a report is due. */
  note(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastMs + this.everyMs - Date.now());
    this.timer = setTimeout(() => void this.flush(), wait);
    // A due report never keeps a stopping process alive: stop() flushes.
    this.timer.unref();
  }

  /** Prints what is pending now (at the end of a follow). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastMs = Date.now();
    const text = await this.take();
    if (text) this.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
