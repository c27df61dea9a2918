/**
 * Durations in config are text with a unit (`500ms`, `90s`, `5m`, `2h`, `1d`, or combined `1h30m`),
 * never a bare number: `heartbeat_interval: 30` could mean seconds or milliseconds, and a wrong guess
 * is a bot that heartbeats 1000x too often.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

export const DURATION_EXPECTED = 'a duration with a unit, e.g. 500ms, 90s, 5m, 2h, 1d or 1h30m';

/** Milliseconds of a duration text, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const input = text.trim().toLowerCase();
  if (input.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(input); m !== null; m = PART.exec(input)) {
    const amount = Number(m[1]);
    total += amount * UNIT_MS[m[2] as Unit];
    consumed = PART.lastIndex;
  }
  if (consumed !== input.length) return undefined;
  // Sub-millisecond precision means nothing to a timer; refuse it rather than round silently.
  return Number.isInteger(total) ? total : undefined;
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
