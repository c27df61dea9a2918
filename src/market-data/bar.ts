import type { Candle } from '../domain/candle.js';

/** A candle of one market as a feed delivers it. */
export interface Bar extends Candle {
  /** The market symbol, e.g. `BTC-PERP` or `UNITTEST/BTC`. */
  readonly symbol: string;
}

export const MINUTE_MS = 60_000;

// Bars arrive minute after minute: `YYYY-MM-DDT` is formatted once per UTC day, the time of day
// from arithmetic (toISOString was a visible share of a replay's per-bar cost).
const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDayText = '';

function pad(n: number, width: number): string {
  const text = `${n}`;
  return text.length >= width ? text : '0'.repeat(width - text.length) + text;
}

/** ISO 8601 UTC with milliseconds, the form every event field holding a bar time uses. */
export function isoTime(ms: number): string {
  // Out of range and fractional times go the slow way (toISOString also throws for an invalid one).
  if (!Number.isInteger(ms) || !(Math.abs(ms) <= 8.64e15)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
    cachedDay = day;
  }
  const inDay = ms - day * DAY_MS;
  const second = Math.floor(inDay / 1000);
  return `${cachedDayText}${pad(Math.floor(second / 3600), 2)}:${pad(Math.floor(second / 60) % 60, 2)}:${pad(second % 60, 2)}.${pad(inDay - second * 1000, 3)}Z`;
}
