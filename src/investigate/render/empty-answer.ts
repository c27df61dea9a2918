import type { TimeWindow } from '../query/find-events.js';
import { utc } from './time-format.js';

/**
 * Why a window may miss a replay: the window selects lines by when the bot wrote them, and a
 * replay writes a month of 2022 candles in minutes of today. Its decisions are named by the bar's
 * time instead, which `trace` takes as a prefix.
 */
export const REPLAY_WINDOW_NOTE = "--since/--until are when the bot wrote its lines, not a replayed candle's time (trace takes a replayed bar's time as an id prefix: dec_20220115_1042)";

/**
 * What narrowed a query that found nothing, for its "no ... match" line, so the operator sees which
 * filter to loosen: `` (--symbol BTC/USDT, --status canceled, written 2022-01-15 00:00:00.000Z to ...)``,
 * or '' when nothing did. Flags absent (undefined) are left out.
 */
export function narrowedBy(flags: Readonly<Record<string, string | undefined>>, window: TimeWindow): string {
  const parts = Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [`--${flag} ${value}`]));
  if (window.since !== undefined || window.until !== undefined) {
    const from = window.since === undefined ? 'the start' : utc(window.since);
    const to = window.until === undefined ? 'now' : utc(window.until);
    parts.push(`lines written from ${from} to ${to}`);
  }
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
