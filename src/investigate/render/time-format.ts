import type { Result } from '../../domain/result.js';
import { RELATIVE_EXPECTED, relativeMs } from '../cli/relative-time.js';

const ISO_LIKE = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:?\d\d)?$/;

/**
 * `--since 2h` (that long before now), `--since 2025-10-26T10:00Z` (a zone-less time is UTC). A bare
 * date is the whole day: from its first millisecond for --since, to its last for --until, so
 * `--since 2025-10-26 --until 2025-10-26` is that day (it was an empty window at midnight).
 */
export function parseTimeSpec(flag: string, text: string, nowMs: number): Result<string, string> {
  const ago = relativeMs(text);
  if (ago !== undefined) return { ok: true, value: new Date(nowMs - ago).toISOString() };
  if (ISO_LIKE.test(text.trim())) {
    let iso = text.trim().replace(' ', 'T');
    const dayEnd = flag === '--until' ? 'T23:59:59.999Z' : 'T00:00:00Z';
    if (!/(Z|[+-]\d\d:?\d\d)$/.test(iso)) iso += iso.length === 10 ? dayEnd : 'Z';
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return { ok: true, value: new Date(ms).toISOString() };
  }
  return { ok: false, error: `${flag} ${JSON.stringify(text)}: expected ${RELATIVE_EXPECTED}` };
}

/** `2025-10-26 12:34:56.789Z` */
export function utc(iso: string): string {
  return iso.replace('T', ' ');
}

/**
 * `1.234s`, `2m 03s`, `3h 12m`, `2d 4h`. A negative span is an end stamped before its start: the
 * wall clock went back between the two stamps. It is shown with its sign and that reason; without
 * the sign, a session that ran 41 s across a step back of an hour was listed as lasting "59m 19s".
 * Callers with a sign of their own (after, ago) pass the magnitude.
 */
export function duration(ms: number): string {
  if (ms < 0) return `-${magnitude(-ms)} (the clock went back)`;
  return magnitude(ms);
}

function magnitude(abs: number): string {
  if (abs < 1000) return `${Math.round(abs)}ms`;
  if (abs < 60_000) return `${(abs / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
  const s = Math.floor(abs / 1000);
  if (abs < 3_600_000) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (abs < 86_400_000) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** `+1.5s` after a reference time. */
export function after(iso: string, refIso: string): string {
  const ms = Date.parse(iso) - Date.parse(refIso);
  return `${ms < 0 ? '-' : '+'}${duration(Math.abs(ms)).replace(' ', '')}`;
}

/** `3h 12m ago` */
export function ago(iso: string, nowMs: number): string {
  const ms = nowMs - Date.parse(iso);
  return ms >= 0 ? `${duration(ms)} ago` : `in ${duration(-ms)}`;
}
