import { CONFIG_DURATION_UNITS, unitDurationMs } from '../domain/unit-duration.js';

/**
 * Durations in config are text with a unit (`500ms`, `90s`, `5m`, `2h`, `1d`, or combined `1h30m`),
 * never a bare number: `heartbeat_interval: 30` could mean seconds or milliseconds, and a wrong guess
 * is a bot that heartbeats 1000x too often.
 */
const UNIT_MS = CONFIG_DURATION_UNITS;

export const DURATION_EXPECTED = 'a duration with a unit, e.g. 500ms, 90s, 5m, 2h, 1d or 1h30m';

/** Milliseconds of a duration text, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const total = unitDurationMs(text, UNIT_MS);
  // Sub-millisecond precision means nothing to a timer; refuse it rather than round silently.
  return total !== undefined && Number.isInteger(total) ? total : undefined;
}

/** The canonical text of a duration: largest units first, e.g. 90000 -> `1m30s`, 0 -> `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
