/**
 * How long before now a relative --since/--until means, in the forms config durations take
 * (src/config/duration.ts, which a reader may not import): a number and a unit, or several combined
 * (`1h30m`, `2d12h`), case aside; and weeks (`1w`), which the query flags always took.
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/** Milliseconds of a relative time, or undefined when the text is not one. */
export function relativeMs(text: string): number | undefined {
  const input = text.trim().toLowerCase();
  if (input.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(input); m !== null; m = PART.exec(input)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  return consumed === input.length && Number.isFinite(total) ? total : undefined;
}

export const RELATIVE_EXPECTED = 'a relative time like 30m, 2h, 1d or an ISO time like 2025-10-26T10:00:00Z (units combine as in config durations, 1h30m; units ms, s, m, h, d, w)';
