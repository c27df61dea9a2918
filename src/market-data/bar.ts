import type { Candle } from '../domain/candle.js';

/** A candle of one market as a feed delivers it. */
export interface Bar extends Candle {
  /** The market symbol, e.g. `BTC-PERP` or `UNITTEST/BTC`. */
  readonly symbol: string;
}

export const MINUTE_MS = 60_000;

/** ISO 8601 UTC with milliseconds, the form every event field holding a bar time uses. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
