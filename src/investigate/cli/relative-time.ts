import { unitDurationMs } from '../../domain/unit-duration.js';

/**
 * How long before now a relative --since/--until means, in the forms config durations take (read
 * by the same unitDurationMs): a number and a unit, or several combined (`1h30m`, `2d12h`), case
 * aside; and weeks (`1w`), which the query flags always took.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds of a relative time, or undefined when the text is not one. */
export function relativeMs(text: string): number | undefined {
  return unitDurationMs(text, UNIT_MS);
}

export const RELATIVE_EXPECTED = 'a relative time like 30m, 2h, 1d or an ISO time like 2025-10-26T10:00:00Z (units combine as in config durations, 1h30m; units ms, s, m, h, d, w)';
