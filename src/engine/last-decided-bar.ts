import { statSync } from 'node:fs';
import { linesBackwards } from '../recorder/lines-backwards.js';
import { searchNewestFirst, wholeLineChunks, type OnUnreadableLog } from './rotated-log-read.js';

// How far back from the end of the decision log to look, across its files. The replay cursor,
// saved every second, holds every decision but those of the last second before a kill: a few
// lines when paced, a few MB at full speed. This only bounds a search for a symbol the session did
// not decide lately (its candles ended, or have not begun), which would otherwise read the whole
// history (gigabytes, gzipped) at every start.
const MAX_BYTES = 64 * 1024 * 1024;
const START = '"event_type":"DECISION_START"';
const START_BYTES = Buffer.from(START);
const NEWLINE = 0x0a;
const BAR_TS = /"bar_ts":"([^"]+)"/;
const SYMBOL = /"symbol":"([^"]+)"/;
const PRICE = /"price":(\d+(?:\.\d+)?)[,}]/;
const SESSION = /"session_id":"([^"]+)"/;

/** A symbol's last decided bar: its close time (ms UTC) and close price (decimal text, when the line has one). */
export interface DecidedBar {
  readonly close: number;
  readonly price: string | undefined;
  /** The session that decided it: given when the search took every session's lines. */
  readonly session?: string;
}

/** Whose decisions count: one session's (its id), or those of every session a predicate accepts. */
export type DecidingSessions = string | ((sessionId: string) => boolean);

interface Search {
  /** `"session_id":"<id>"`: only that session's lines count; undefined: every session `counts` accepts. */
  readonly mine: string | undefined;
  readonly counts: (sessionId: string) => boolean;
  readonly symbols: ReadonlySet<string>;
  readonly intervalMs: number;
}

/** The symbol and bar a line decided, if it is a DECISION_START of the searched session for one of its symbols. */
function decisionIn(line: string, search: Search): [string, DecidedBar] | undefined {
  if (!line.includes(START) || (search.mine !== undefined && !line.includes(search.mine))) return undefined;
  const symbol = SYMBOL.exec(line)?.[1];
  const openTime = Date.parse(BAR_TS.exec(line)?.[1] ?? '');
  if (symbol === undefined || !search.symbols.has(symbol) || !Number.isFinite(openTime)) return undefined;
  const bar = { close: openTime + search.intervalMs, price: PRICE.exec(line)?.[1] };
  if (search.mine !== undefined) return [symbol, bar];
  const session = SESSION.exec(line)?.[1];
  if (session === undefined) return [symbol, bar];
  return search.counts(session) ? [symbol, { ...bar, session }] : undefined;
}

/**
 * Read from its end, a plain file answers without being read whole: the first decision met per
 * symbol is its last. Adds to `last` only symbols it does not hold yet; returns the bytes it
 * covered (the file's size, at most `budget`).
 */
function searchPlain(path: string, search: Search, last: Map<string, DecidedBar>, budget: number): number {
  const size = statSync(path).size;
  for (const line of linesBackwards(path, budget)) {
    const decided = decisionIn(line, search);
    if (decided === undefined || last.has(decided[0])) continue;
    last.set(...decided);
    if (last.size === search.symbols.size) break;
  }
  return Math.min(size, budget);
}

/**
 * A gzipped file can only be read from its start: every decision in it is read, and the last one
 * per symbol kept. Only whole lines count: a torn last line (no newline) is not one, as in
 * linesBackwards. Returns the bytes it held, unzipped.
 */
async function searchGzipped(unzipped: AsyncIterable<Buffer>, search: Search, last: Map<string, DecidedBar>): Promise<number> {
  const found = new Map<string, DecidedBar>();
  const bytes = await wholeLineChunks(unzipped, (data, whole) => {
    // The chunk's whole lines from its end, as a plain file is read: the first decision met per
    // symbol is its last in the chunk, and a later chunk's replaces it. Only lines holding the
    // marker are decoded, and none once every symbol is met.
    const here = new Set<string>();
    for (let at = data.lastIndexOf(START_BYTES, whole - 1); at >= 0 && here.size < search.symbols.size; ) {
      const start = data.lastIndexOf(NEWLINE, at) + 1;
      const decided = decisionIn(data.toString('utf8', start, data.indexOf(NEWLINE, at)), search);
      if (decided !== undefined && !here.has(decided[0])) {
        here.add(decided[0]);
        found.set(...decided);
      }
      at = start > 0 ? data.lastIndexOf(START_BYTES, start - 1) : -1;
    }
  });
  for (const [symbol, bar] of found) if (!last.has(symbol)) last.set(symbol, bar);
  return bytes;
}

/**
 * The last bar `sessions` decided for each of `symbols` (those it decided at all), from the
 * decision log of this data directory, newest file first, gzipped rotated files included: the
 * newest file with a decision of a symbol says its last one, and older files are read only for
 * the symbols not found yet (the current file usually answers for all).
 *
 * The replay cursor is saved at most once a second; after a kill, the log of the session that saved
 * it (written line by line before anything is acted on) says where its decisions stopped, so a
 * restart decides no bar twice and skips none, symbol by symbol. A kill just after a rotation
 * leaves those decisions in the newest rotated file, which may be gzipped by the time of the
 * restart. Only that session's lines count: another session's (a demo, a replay of other candles)
 * say nothing about this timeline. A decision cut off by the kill (DECISION_START without its END)
 * counts as decided: its order, if any, is in the state store and is reconciled there, not decided again.
 *
 * `sessions` a predicate takes the lines of every session it accepts, each bar naming its session:
 * with no cursor (deleted, lost with a disk) nothing says which session's timeline this directory
 * follows, and the last bar any such session decided is the latest one no restart may decide again.
 *
 * A rotated file deleted since the listing counts as empty. One that cannot be read (a damaged
 * .gz) ends the search, reported to `onUnreadable`: an older file would give an older bar for a
 * symbol whose last decision it may have held; the cursor's point stands for those symbols.
 */
export async function lastDecidedBars(
  logsDir: string, sessions: DecidingSessions, symbols: readonly string[], intervalMs: number, onUnreadable: OnUnreadableLog = () => undefined,
): Promise<Map<string, DecidedBar>> {
  const search: Search =
    typeof sessions === 'string'
      ? { mine: `"session_id":"${sessions}"`, counts: () => true, symbols: new Set(symbols), intervalMs }
      : { mine: undefined, counts: sessions, symbols: new Set(symbols), intervalMs };
  const last = new Map<string, DecidedBar>();
  const reads = { plain: (path: string, budget: number) => searchPlain(path, search, last, budget), gzipped: (unzipped: AsyncIterable<Buffer>) => searchGzipped(unzipped, search, last) };
  await searchNewestFirst(logsDir, 'decisions', reads, () => last.size === search.symbols.size, MAX_BYTES, onUnreadable);
  return last;
}
