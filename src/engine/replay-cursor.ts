import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../domain/decimal.js';
import { MINUTE_MS } from '../market-data/index.js';
import { TimeframeChangedError } from './timeframe-changed-error.js';

export const CURSOR_FILE = 'paper-cursor.json';

interface CursorFile {
  readonly last_bar_close?: unknown;
  readonly session_id?: unknown;
  readonly symbols?: unknown;
  readonly prices?: unknown;
  readonly traded?: unknown;
  readonly decided_by?: unknown;
  readonly interval_ms?: unknown;
}

// A positive price as Decimal.toString writes it: a synthetic market cannot start at 0.
const PRICE_TEXT = /^(?:[1-9]\d*(?:\.\d+)?|0\.\d*[1-9]\d*)$/;

/** A symbol's last price the cursor keeps: its last decided bar's close price, and that bar's close time. */
export interface CursorPrice {
  readonly price: Decimal;
  /** Close time of the bar (ms UTC). */
  readonly close: number;
}

/**
 * The last price of each symbol paper-cursor.json in `dataDir` keeps, with its bar's close time:
 * what a position in a symbol that gets no bar is worth as far as anything knows. Never throws: a
 * missing or damaged file gives what it can (nothing), and the session's own read of the cursor
 * is the one that refuses a damaged file.
 */
export function cursorPrices(dataDir: string): Map<string, CursorPrice> {
  const known = new Map<string, CursorPrice>();
  let parsed: CursorFile | null;
  try {
    parsed = JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as CursorFile | null;
  } catch {
    return known;
  }
  const prices = parsed?.prices;
  const closes = parsed?.symbols;
  if (typeof prices !== 'object' || prices === null || typeof closes !== 'object' || closes === null) return known;
  for (const [symbol, price] of Object.entries(prices)) {
    const close = (closes as Record<string, unknown>)[symbol];
    if (typeof price === 'string' && PRICE_TEXT.test(price) && typeof close === 'number' && Number.isFinite(close)) known.set(symbol, { price: Decimal.parse(price), close });
  }
  return known;
}

const byName = ([a]: readonly [string, unknown], [b]: readonly [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The close time of the last bar a paper session decided on, per symbol, with that bar's close
 * price, kept beside the state database so the next session on the same data directory resumes
 * each symbol after its own last decided bar instead of deciding the same bars again. Per symbol
 * because the symbols of one bar time are decided one after the other: a kill between them leaves
 * one symbol a bar ahead, and a single time would make the restart either skip that bar for the
 * other or decide it twice for the first.
 *
 * Written atomically (temp file, rename) when a session opens (`claim`), then at most once a
 * second and at stop: after a kill, the decision log of the session named in it says where
 * decisions stopped within that second (lastDecidedBars), and the store guards against an order
 * sent twice. `last_bar_close` (the latest of them) is kept for readers of the older, single-time
 * file. It never moves backwards: a session that decides earlier bars (a replay of older candles
 * on the same directory) leaves a stored value alone, so later sessions do not decide bars twice.
 *
 * `decided_by` names, per symbol, the session that decided the bar whose price is kept: a restart
 * whose candle file no longer holds that price names it (DataChangedError), and a session that only
 * carries a symbol's point over (it does not trade it, or was refused before its first bar) keeps
 * the name of the session that decided it.
 *
 * `interval_ms` is the bar length (market_data.timeframe) its closes were decided on; a file without
 * it was written when every session traded 1-minute bars. A session of another bar length is
 * refused on a directory where bars were decided (TimeframeChangedError): its closes lie on the
 * other grid, and resuming across them would decide part of a bar twice or skip part of one.
 */
export class ReplayCursor {
  private readonly path: string;
  /** Per symbol, the latest close this process knows of: the file's, then what it noted. */
  private readonly latest = new Map<string, number>();
  /** Per symbol, the close the file holds: nothing below it is ever written. */
  private readonly saved = new Map<string, number>();
  /** The close price of each symbol's latest bar, where known: where a synthetic market resumes. */
  private readonly prices = new Map<string, Decimal>();
  private dirty = false;
  private savedAt = Number.NEGATIVE_INFINITY;
  private storedRead = false;
  /** `read` found no file: a first session, or one deleted (see ResumePlan.cursorMissing). */
  private absent = false;
  private storedBy: string | undefined;
  /** The symbols the session that wrote the file traded; undefined for a file that does not say. */
  private storedTraded: readonly string[] | undefined;
  /**
   * Per symbol, a point this session did not decide itself (read from the file, or carried over),
   * with the session that did, where known. A symbol whose latest close is past it was decided here.
   * Kept apart so that deciding a bar (advance, on every bar) does no extra work.
   */
  private readonly decidedElsewhere = new Map<string, { readonly close: number; readonly by: string | undefined }>();

  constructor(
    /** The data directory the cursor belongs to (its state was built on the bars it names). */
    readonly dataDir: string,
    /** The session writing it: the next one refines the cursor with this session's decision log only. */
    private readonly sessionId: string,
    /** The session's symbols: written as the ones it trades; a file from before per-symbol times gives its one time to each. */
    private readonly symbols: readonly string[],
    private readonly everyMs = 1000,
    /** The session's bar length: written with the closes, and the one a stored cursor must have. */
    private readonly intervalMs = MINUTE_MS,
  ) {
    this.path = join(dataDir, CURSOR_FILE);
  }

  /** The session that wrote the stored cursor (after `read`); undefined for a cursor written before sessions were named in it. */
  storedSession(): string | undefined {
    return this.storedBy;
  }

  /** Whether `read` found no file. */
  fileMissing(): boolean {
    return this.absent;
  }

  private malformed(text: string): Error {
    return new Error(
      `${this.path}: expected {"session_id": "<session>", "traded": ["<symbol>", ...], "symbols": {"<symbol>": <ms UTC>, ...}, "prices": {"<symbol>": "<positive decimal>", ...}, "decided_by": {"<symbol>": "<session>", ...}} (or an older {"last_bar_close": <ms UTC>}), got ${text.slice(0, 100)}. ` +
      `It is damaged: delete it (or move it aside) and start again; the restart then resumes each symbol after the last bar the decision log shows decided (whatever the session), and says so in a warning`,
    );
  }

  /** The file's decided_by, checked; an older file without it gives none. */
  private readDecidedBy(parsed: CursorFile | null, text: string): Map<string, string> {
    const stored = parsed?.decided_by;
    if (stored === undefined) return new Map();
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw this.malformed(text);
    const bySymbol = new Map<string, string>();
    for (const [symbol, session] of Object.entries(stored)) {
      if (typeof session !== 'string') throw this.malformed(text);
      bySymbol.set(symbol, session);
    }
    return bySymbol;
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
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.absent = true;
        return undefined;
      }
      throw error;
    }
    let parsed: CursorFile | null = null;
    try {
      parsed = JSON.parse(text) as CursorFile | null;
    } catch {
      // reported below, naming the file
    }
    const value = parsed?.last_bar_close;
    const closes = new Map<string, number>();
    const symbols = parsed?.symbols;
    if (symbols === undefined) {
      // Written before per-symbol times: its one time was the latest decided bar of every symbol.
      if (typeof value !== 'number' || !Number.isFinite(value)) throw this.malformed(text);
      for (const symbol of this.symbols) closes.set(symbol, value);
    } else {
      if (typeof symbols !== 'object' || symbols === null || Array.isArray(symbols)) throw this.malformed(text);
      for (const [symbol, close] of Object.entries(symbols)) {
        if (typeof close !== 'number' || !Number.isFinite(close)) throw this.malformed(text);
        closes.set(symbol, close);
      }
    }
    const traded = parsed?.traded;
    if (traded !== undefined && !(Array.isArray(traded) && traded.every((symbol) => typeof symbol === 'string'))) throw this.malformed(text);
    const prices = new Map<string, Decimal>();
    const storedPrices = parsed?.prices;
    if (storedPrices !== undefined) {
      if (typeof storedPrices !== 'object' || storedPrices === null || Array.isArray(storedPrices)) throw this.malformed(text);
      for (const [symbol, price] of Object.entries(storedPrices)) {
        if (typeof price !== 'string' || !PRICE_TEXT.test(price)) throw this.malformed(text);
        prices.set(symbol, Decimal.parse(price));
      }
    }
    const decidedBy = this.readDecidedBy(parsed, text);
    const storedInterval = parsed?.interval_ms ?? MINUTE_MS;
    if (typeof storedInterval !== 'number' || !Number.isInteger(storedInterval) || storedInterval <= 0) throw this.malformed(text);
    // A cursor with no point (a first session refused before its first bar) decided nothing on any grid.
    if (storedInterval !== this.intervalMs && closes.size > 0) {
      throw new TimeframeChangedError({
        dataDir: this.dataDir, cursorFile: this.path, writtenBy: typeof parsed?.session_id === 'string' ? parsed.session_id : undefined, storedIntervalMs: storedInterval, intervalMs: this.intervalMs,
      });
    }
    this.storedRead = true;
    this.storedBy = typeof parsed?.session_id === 'string' ? parsed.session_id : undefined;
    this.storedTraded = traded;
    // A file from before decided_by: the session that wrote it decided the symbols it traded.
    const writerTraded = new Set(this.storedTradedSymbols());
    for (const [symbol, close] of closes) {
      if (close > (this.saved.get(symbol) ?? Number.NEGATIVE_INFINITY)) this.saved.set(symbol, close);
      if (close >= (this.latest.get(symbol) ?? Number.NEGATIVE_INFINITY)) {
        this.latest.set(symbol, close);
        const price = prices.get(symbol);
        if (price === undefined) this.prices.delete(symbol);
        else this.prices.set(symbol, price);
        this.decidedElsewhere.set(symbol, { close, by: decidedBy.get(symbol) ?? (writerTraded.has(symbol) ? this.storedBy : undefined) });
      }
    }
    this.dirty = this.ahead();
    return closes.size === 0 ? undefined : Math.max(...closes.values());
  }

  /**
   * The symbols the session that wrote the file traded (after `read`): a symbol it did not trade
   * was left out of it, so its stored close may lie far behind the others'. A file that does not
   * say (an older one) traded every symbol it holds.
   */
  storedTradedSymbols(): readonly string[] {
    return this.storedTraded ?? [...this.saved.keys()];
  }

  /** Every symbol the cursor holds a close for (after `read`), traded by this session or not. */
  knownSymbols(): string[] {
    return [...this.latest.keys()];
  }

  /** The stored close of the last bar decided for `symbol` (after `read`), if the cursor knows it. */
  closeOf(symbol: string): number | undefined {
    return this.saved.get(symbol);
  }

  /** The close price of the symbol's latest bar, if the cursor knows it. */
  priceOf(symbol: string): Decimal | undefined {
    return this.prices.get(symbol);
  }

  /** The session that decided the symbol's latest bar, if known: this one, once it decided one. */
  decidedBy(symbol: string): string | undefined {
    const latest = this.latest.get(symbol);
    if (latest === undefined) return undefined;
    const elsewhere = this.decidedElsewhere.get(symbol);
    return elsewhere !== undefined && elsewhere.close >= latest ? elsewhere.by : this.sessionId;
  }

  /** Notes a point an earlier session decided (`by`, when known), carried over without deciding it. */
  carry(symbol: string, barClose: number, price: Decimal | undefined, by: string | undefined): void {
    if (!(barClose > (this.latest.get(symbol) ?? Number.NEGATIVE_INFINITY))) return;
    this.note(symbol, barClose, price);
    this.decidedElsewhere.set(symbol, { close: barClose, by });
  }

  /** Has any symbol been decided past its stored close? */
  private ahead(): boolean {
    for (const [symbol, close] of this.latest) if (close > (this.saved.get(symbol) ?? Number.NEGATIVE_INFINITY)) return true;
    return false;
  }

  /** Notes a decided bar of `symbol` and its close price, without writing. */
  note(symbol: string, barClose: number, price: Decimal | undefined): void {
    if (!(barClose > (this.latest.get(symbol) ?? Number.NEGATIVE_INFINITY))) return;
    this.latest.set(symbol, barClose);
    if (price === undefined) this.prices.delete(symbol);
    else this.prices.set(symbol, price);
    if (barClose > (this.saved.get(symbol) ?? Number.NEGATIVE_INFINITY)) this.dirty = true;
  }

  /**
   * Notes a decided bar; writes when a second has passed since the last write, on the monotonic
   * clock: on the wall clock, set back an hour by NTP, the cursor was not written for that hour.
   */
  advance(symbol: string, barClose: number, price?: Decimal): void {
    this.note(symbol, barClose, price);
    const at = performance.now();
    if (at - this.savedAt >= this.everyMs) this.save(at);
  }

  /**
   * Writes the cursor under this session now, changed or not, even with no point yet (the first
   * session on a directory). A session opening calls it with its refined points noted: from then
   * on its own decision log is the one that refines the file, and the bars it decides in its first
   * second (thousands at full speed) are found there after a kill.
   */
  claim(): void {
    this.save(performance.now(), true);
  }

  /** `at`: performance.now() of this write, for the once-a-second pace of `advance`. */
  save(at = performance.now(), force = false): void {
    this.savedAt = at;
    if (!this.storedRead) {
      this.storedRead = true;
      this.read();
    }
    if (!this.dirty && !force) return;
    const closes = [...this.latest].sort(byName);
    const prices = [...this.prices].map(([symbol, price]): [string, string] => [symbol, price.toString()]).sort(byName);
    const decidedBy = [...this.prices.keys()].flatMap((symbol): [string, string][] => {
      const by = this.decidedBy(symbol);
      return by === undefined ? [] : [[symbol, by]];
    }).sort(byName);
    // The latest close, for a reader of the older single-time file; null before anything was decided.
    const lastBarClose = closes.length === 0 ? null : Math.max(...this.latest.values());
    const body = {
      last_bar_close: lastBarClose, iso: lastBarClose === null ? null : new Date(lastBarClose).toISOString(), session_id: this.sessionId, interval_ms: this.intervalMs,
      traded: [...this.symbols].sort(), symbols: Object.fromEntries(closes), prices: Object.fromEntries(prices), decided_by: Object.fromEntries(decidedBy),
    };
    const temp = `${this.path}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(body)}\n`);
      renameSync(temp, this.path);
    } catch (error) {
      // A full disk fails the write after the temp file was created: without this, a 0-byte
      // paper-cursor.json.tmp stays in the data dir after the session stops. Best effort: the
      // write's own error is what the caller must see, not a failure to clean up after it.
      try {
        rmSync(temp, { force: true });
      } catch {
        // the temp file stays; the error below says why the cursor was not written
      }
      throw error;
    }
    for (const [symbol, close] of this.latest) this.saved.set(symbol, close);
    this.dirty = false;
  }
}
