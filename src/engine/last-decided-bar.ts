import { listLogFiles } from '../recorder/log-files.js';
import { linesBackwards } from '../recorder/lines-backwards.js';

// How far back to look in one file: the tail of decisions.jsonl holds every symbol's last decision
// within a few bars; this only bounds a search for a symbol that stopped being decided long ago.
const MAX_BYTES = 64 * 1024 * 1024;
const START = '"event_type":"DECISION_START"';
const BAR_TS = /"bar_ts":"([^"]+)"/;
const SYMBOL = /"symbol":"([^"]+)"/;
const PRICE = /"price":(\d+(?:\.\d+)?)[,}]/;

/** A symbol's last decided bar: its close time (ms UTC) and close price (decimal text, when the line has one). */
export interface DecidedBar {
  readonly close: number;
  readonly price: string | undefined;
}

/**
 * The last bar `sessionId` decided for each of `symbols` (those it decided at all), from the
 * decision log of this data directory, newest file first.
 *
 * The replay cursor is saved at most once a second; after a kill, the log of the session that saved
 * it (written line by line before anything is acted on) says where its decisions stopped, so a
 * restart decides no bar twice and skips none, symbol by symbol. Only that session's lines count:
 * another session's (a demo, a replay of other candles) say nothing about this timeline. A decision
 * cut off by the kill (DECISION_START without its END) counts as decided: its order, if any, is in
 * the state store and is reconciled there, not decided again.
 */
export function lastDecidedBars(logsDir: string, sessionId: string, symbols: readonly string[], intervalMs: number): Map<string, DecidedBar> {
  const mine = `"session_id":"${sessionId}"`;
  const last = new Map<string, DecidedBar>();
  const files = listLogFiles(logsDir, ['decisions']).filter((file) => !file.gzipped).reverse();
  for (const file of files) {
    for (const line of linesBackwards(file.path, MAX_BYTES)) {
      if (!line.includes(START) || !line.includes(mine)) continue;
      const symbol = SYMBOL.exec(line)?.[1];
      const openTime = Date.parse(BAR_TS.exec(line)?.[1] ?? '');
      if (symbol === undefined || !symbols.includes(symbol) || last.has(symbol) || !Number.isFinite(openTime)) continue;
      last.set(symbol, { close: openTime + intervalMs, price: PRICE.exec(line)?.[1] });
      if (last.size === symbols.length) return last;
    }
  }
  return last;
}
