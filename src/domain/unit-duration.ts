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
