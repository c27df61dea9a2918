/** Milliseconds per unit of a duration written as text. */
export type UnitLengths = Readonly<Record<string, number>>;

const PATTERNS = new WeakMap<UnitLengths, RegExp>();

/** `<number><unit>` parts, longest unit names first so `ms` is never read as `m` then `s`. */
function partsOf(units: UnitLengths): RegExp {
  let pattern = PATTERNS.get(units);
  if (pattern === undefined) {
    const names = Object.keys(units).sort((a, b) => b.length - a.length);
    pattern = new RegExp(`(\\d+(?:\\.\\d+)?)(${names.join('|')})`, 'gy');
    PATTERNS.set(units, pattern);
  }
  return pattern;
}

/**
 * Milliseconds of a duration written as numbers with units, one part or several combined (`90s`,
 * `1h30m`, `2d12h`), case and surrounding space aside; undefined when the text is anything else.
 * The one reading of such text for config durations and the queries' relative times alike.
 */
export function unitDurationMs(text: string, units: UnitLengths): number | undefined {
  const input = text.trim().toLowerCase();
  if (input.length === 0) return undefined;
  const part = partsOf(units);
  part.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(input); m !== null; m = part.exec(input)) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? Number.NaN);
    consumed = part.lastIndex;
  }
  return consumed === input.length && Number.isFinite(total) ? total : undefined;
}

/** The units config durations are written in (`500ms`, `90s`, `5m`, `2h`, `1d`, `1h30m`). */
export const CONFIG_DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A config duration as a log line or a session's saved config holds it, in ms: its text with units,
 * or a number of ms (older shapes). Undefined for anything else: the readers of logs (health, the
 * alert rules) take config as it was written, not through the config schema.
 */
export function loggedDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' ? unitDurationMs(value, CONFIG_DURATION_UNITS) : undefined;
}
