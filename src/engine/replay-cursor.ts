import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CURSOR_FILE = 'paper-cursor.json';

/**
 * The close time of the last bar a paper session decided on, kept beside the state database so the
 * next session on the same data directory resumes after it instead of deciding the same bars again.
 * Written atomically (temp file, rename) at most once a second and at stop: after a kill, the
 * decision log says where decisions stopped within that second (lastDecidedBarClose), and the store
 * guards against an order sent twice.
 * It never moves backwards: a session that decides earlier bars (a replay of older candles on the
 * same directory) leaves the stored value alone, so later sessions do not decide bars twice.
 */
export class ReplayCursor {
  private readonly path: string;
  private latest = Number.NEGATIVE_INFINITY;
  private savedAt = Number.NEGATIVE_INFINITY;
  private saved = Number.NEGATIVE_INFINITY;
  private storedRead = false;
  private storedBy: string | undefined;

  constructor(
    dataDir: string,
    /** The session writing it: the next one refines the cursor with this session's decision log only. */
    private readonly sessionId: string,
    private readonly everyMs = 1000,
  ) {
    this.path = join(dataDir, CURSOR_FILE);
  }

  /** The session that wrote the stored cursor (after `read`); undefined for a cursor written before sessions were named in it. */
  storedSession(): string | undefined {
    return this.storedBy;
  }

  /** The stored cursor, or undefined when there is none. A file that is not a cursor is an error naming it. */
  read(): number | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let parsed: { last_bar_close?: unknown; session_id?: unknown } | null = null;
    try {
      parsed = JSON.parse(text) as { last_bar_close?: unknown; session_id?: unknown } | null;
    } catch {
      // reported below, naming the file
    }
    const value = parsed?.last_bar_close;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`${this.path}: expected {"last_bar_close": <ms UTC>}, got ${text.slice(0, 100)}`);
    }
    // What is stored is the floor: nothing below it is ever written back.
    this.storedRead = true;
    this.storedBy = typeof parsed?.session_id === 'string' ? parsed.session_id : undefined;
    if (value > this.saved) this.saved = value;
    if (value > this.latest) this.latest = value;
    return value;
  }

  /** Notes a decided bar; writes when a second has passed since the last write. */
  advance(barClose: number): void {
    if (barClose > this.latest) this.latest = barClose;
    const wall = Date.now();
    if (wall - this.savedAt >= this.everyMs) this.save(wall);
  }

  save(wall = Date.now()): void {
    this.savedAt = wall;
    if (!this.storedRead) {
      this.storedRead = true;
      this.read();
    }
    if (this.latest <= this.saved || !Number.isFinite(this.latest)) return;
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ last_bar_close: this.latest, iso: new Date(this.latest).toISOString(), session_id: this.sessionId })}\n`);
    renameSync(temp, this.path);
    this.saved = this.latest;
  }
}
