/**
 * Candle timestamps as they appear in files, read to Unix milliseconds UTC:
 * - `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC, as nautilus_trader writes), or the same with `T`, `Z` or a
 *   `+HH:MM` offset (ISO 8601); fractions beyond the millisecond are dropped (bars are whole minutes)
 * - an integer count of milliseconds since the epoch (the exchange API layout)
 * Returns a string saying what was expected when the text is neither.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const INTEGER = /^\d+$/;
/** Below this a count is seconds, not milliseconds (1e11 ms is March 1973). */
const MIN_EPOCH_MS = 1e11;
const MINUTE_OFFSET_MS = 60_000;

export const TIMESTAMP_EXPECTED =
  'a UTC time like 2022-01-01 00:00:00.000000 or 2022-01-01T00:00:00Z, or milliseconds since the epoch';

/** Two digits at `at`, or -1. */
function two(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Rows of a file share their day; remembering the last one saves a Date.UTC per row. */
let cachedDay = '';
let cachedDayMs = 0;

/**
 * The common `YYYY-MM-DD HH:MM:SS[.fff...]` form, read without a regex or allocation. Returns
 * undefined for anything else (the general path then decides).
 */
function readPlainUtc(text: string): number | undefined {
  const length = text.length;
  if (length < 19 || (length > 19 && (text.charCodeAt(19) !== 46 || length > 29))) return undefined;
  const sep = text.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let millis = 0;
  for (let i = 20, weight = 100; i < length; i++, weight /= 10) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    if (weight >= 1) millis += d * weight;
  }
  if (!text.startsWith(cachedDay) || cachedDay === '') {
    const day = readTimestampFieldSlow(`${text.slice(0, 10)} 00:00:00`);
    if (typeof day === 'string') return undefined;
    cachedDay = text.slice(0, 10);
    cachedDayMs = day;
  }
  return cachedDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

export function readTimestampField(text: string): number | string {
  return readPlainUtc(text) ?? readTimestampFieldSlow(text);
}

function readTimestampFieldSlow(text: string): number | string {
  if (INTEGER.test(text)) {
    const ms = Number(text);
    if (!Number.isSafeInteger(ms)) return 'milliseconds since the epoch (a safe integer)';
    if (ms < MIN_EPOCH_MS) return 'milliseconds since the epoch (this looks like seconds: multiply by 1000)';
    return ms;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return TIMESTAMP_EXPECTED;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return TIMESTAMP_EXPECTED;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 2022-02-30 over into March; a day it moved is a day that does not exist.
  if (new Date(ms).getUTCDate() !== day) return `${TIMESTAMP_EXPECTED} (no such day)`;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * MINUTE_OFFSET_MS;
  }
  return ms;
}
