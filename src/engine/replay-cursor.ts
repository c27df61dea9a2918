import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Decimal } from '../domain/decimal.js';

export const CURSOR_FILE = 'paper-cursor.json';

interface CursorFile {
  readonly last_bar_close?: unknown;
  readonly session_id?: unknown;
  readonly symbols?: unknown;
  readonly prices?: unknown;
}

// Decimal text as Decimal.toString writes it: what a price in the cursor must look like.
const PRICE_TEXT = /^\d+(\.\d+)?$/;

/**
 * The close time of the last bar a paper session decided on, per symbol, kept beside the state
 * database so the next session on the same data directory resumes each symbol after its own last
 * decided bar instead of deciding the same bars again. Per symbol because the symbols of one bar
 * time are decided one after the other: a kill between them leaves one symbol a bar ahead, and a
 * single time would make the restart either skip that bar for the other or decide it twice for
 * the first.
 *
 * Written atomically (temp file, rename) at most once a second and at stop: after a kill, the
 * decision log says where decisions stopped within that second (lastDecidedBarCloses), and the
 * store guards against an order sent twice. `last_bar_close` (the latest of them) is kept for
 * readers of the older, single-time file.
 * It never moves backwards: a session that decides earlier bars (a replay of older candles on the
 * same directory) leaves a stored value alone, so later sessions do not decide bars twice.
 */
export class ReplayCursor {
  private readonly path: string;
  private readonly latest = new Map<string, number>();
  private readonly saved = new Map<string, number>();
  /** The close price of each symbol's last decided bar: where a synthetic market resumes. Text only when written. */
  private readonly prices = new Map<string, Decimal | string>();
  private dirty = false;
  private savedAt = Number.NEGATIVE_INFINITY;
  private storedRead = false;
  private storedBy: string | undefined;

  constructor(
    dataDir: string,
    /** The session writing it: the next one refines the cursor with this session's decision log only. */
    private readonly sessionId: string,
    /** The session's symbols: a cursor file from before per-symbol times gives its one time to each. */
    private readonly symbols: readonly string[],
    private readonly everyMs = 1000,
  ) {
    this.path = join(dataDir, CURSOR_FILE);
  }

  /** The session that wrote the stored cursor (after `read`); undefined for a cursor written before sessions were named in it. */
  storedSession(): string | undefined {
    return this.storedBy;
  }

  private malformed(text: string): Error {
    return new Error(`${this.path}: expected {"last_bar_close": <ms UTC>, "symbols": {"<symbol>": <ms UTC>, ...}, "prices": {"<symbol>": "<decimal>", ...}}, got ${text.slice(0, 100)}`);
  }

  /**
   * The stored cursor's latest bar close, or undefined when there is none (then `closeOf` knows no
   * symbol). A file that is not a cursor is an error naming it.
   */
  read(): number | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let parsed: CursorFile | null = null;
    try {
      parsed = JSON.parse(text) as CursorFile | null;
    } catch {
      // reported below, naming the file
    }
    const value = parsed?.last_bar_close;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.malformed(text);
    const symbols = parsed?.symbols;
    const perSymbol = new Map<string, number>();
    if (symbols === undefined) {
      // Written before per-symbol times: its one time was the latest decided bar of every symbol.
      for (const symbol of this.symbols) perSymbol.set(symbol, value);
    } else {
      if (typeof symbols !== 'object' || symbols === null || Array.isArray(symbols)) throw this.malformed(text);
      for (const [symbol, close] of Object.entries(symbols)) {
        if (typeof close !== 'number' || !Number.isFinite(close)) throw this.malformed(text);
        perSymbol.set(symbol, close);
      }
    }
    const prices = parsed?.prices;
    const storedPrices = new Map<string, string>();
    if (prices !== undefined) {
      if (typeof prices !== 'object' || prices === null || Array.isArray(prices)) throw this.malformed(text);
      for (const [symbol, price] of Object.entries(prices)) {
        if (typeof price !== 'string' || !PRICE_TEXT.test(price)) throw this.malformed(text);
        storedPrices.set(symbol, price);
      }
    }
    this.storedRead = true;
    this.storedBy = typeof parsed?.session_id === 'string' ? parsed.session_id : undefined;
    // What is stored is the floor: nothing below it is ever written back.
    for (const [symbol, close] of perSymbol) {
      if (close <= (this.saved.get(symbol) ?? Number.NEGATIVE_INFINITY)) continue;
      this.saved.set(symbol, close);
      if (close >= (this.latest.get(symbol) ?? Number.NEGATIVE_INFINITY)) {
        const price = storedPrices.get(symbol);
        if (price === undefined) this.prices.delete(symbol);
        else this.prices.set(symbol, price);
      }
    }
    this.dirty = this.ahead();
    return value;
  }

  /** The stored close of the last bar decided for `symbol` (after `read`), if the cursor knows it. */
  closeOf(symbol: string): number | undefined {
    return this.saved.get(symbol);
  }

  /** The close price of that bar, as decimal text, if the cursor knows it. */
  priceOf(symbol: string): string | undefined {
    return this.prices.get(symbol)?.toString();
  }

  /** Has any symbol been decided past its stored close? */
  private ahead(): boolean {
    for (const [symbol, close] of this.latest) if (close > (this.saved.get(symbol) ?? Number.NEGATIVE_INFINITY)) return true;
    return false;
  }

  /** Notes a decided bar of `symbol` (and its close price); writes when a second has passed since the last write. */
  advance(symbol: string, barClose: number, price?: Decimal | string): void {
    if (barClose > (this.latest.get(symbol) ?? Number.NEGATIVE_INFINITY)) {
      this.latest.set(symbol, barClose);
      if (price === undefined) this.prices.delete(symbol);
      else this.prices.set(symbol, price);
      if (barClose > (this.saved.get(symbol) ?? Number.NEGATIVE_INFINITY)) this.dirty = true;
    }
    const wall = Date.now();
    if (wall - this.savedAt >= this.everyMs) this.save(wall);
  }

  save(wall = Date.now()): void {
    this.savedAt = wall;
    if (!this.storedRead) {
      this.storedRead = true;
      this.read();
    }
    if (!this.dirty) return;
    const merged = new Map(this.saved);
    for (const [symbol, close] of this.latest) if (close > (merged.get(symbol) ?? Number.NEGATIVE_INFINITY)) merged.set(symbol, close);
    const lastBarClose = Math.max(...merged.values());
    const temp = `${this.path}.tmp`;
    const byName = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);
    const symbols = Object.fromEntries([...merged].sort(byName));
    const prices = Object.fromEntries([...this.prices].map(([symbol, price]): [string, string] => [symbol, price.toString()]).sort(byName));
    writeFileSync(temp, `${JSON.stringify({ last_bar_close: lastBarClose, iso: new Date(lastBarClose).toISOString(), session_id: this.sessionId, symbols, prices })}\n`);
    renameSync(temp, this.path);
    for (const [symbol, close] of merged) this.saved.set(symbol, close);
    this.dirty = false;
  }
}
