import type { ConfigProblem } from './config-problem.js';
import type { ConfigSource } from './config-source.js';
import { closest } from './suggest.js';

/**
 * Keys a config may still carry that this version no longer has, with why. "Unknown key; did you
 * mean..." would send the operator looking for a replacement that does not exist.
 */
const RETIRED_KEYS: ReadonlyMap<string, string> = new Map([
  [
    'strategy.max_spread_bps',
    'it was never applied: candles carry no bid/ask, so no feed this bot reads has a spread to check; strategy.max_atr_pct (the volatility guard) is the filter for wild markets',
  ],
]);

/** The key's own name, without its section: after the last `.` of a path, `__` of an env name. */
function lastSegment(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('.') + 1, name.lastIndexOf('__') + 2)).toLowerCase();
}

/**
 * A known key of the same name in another section (`trading.take_profit_pct` for
 * exits.take_profit_pct): the likeliest slip, and one edit distance cannot see, as section names
 * differ by more letters than a typo. Of several, the nearest spelling of the whole path.
 */
function sameNameElsewhere(path: string, known: readonly string[]): string | undefined {
  const name = lastSegment(path);
  if (name === '' || name === path.toLowerCase()) return undefined;
  const same = known.filter((candidate) => candidate.toLowerCase() !== path.toLowerCase() && lastSegment(candidate) === name);
  return same.length > 1 ? (closest(path, same) ?? same[0]) : same[0];
}

/** A slip of both section and spelling (`trading.quote_budgt`): the one key whose name is close. */
function misspeltElsewhere(path: string, known: readonly string[]): string | undefined {
  const name = lastSegment(path);
  if (name === '' || name === path.toLowerCase()) return undefined;
  const meant = closest(name, new Set(known.map(lastSegment)));
  const keys = meant === undefined ? [] : known.filter((candidate) => lastSegment(candidate) === meant);
  return keys.length === 1 ? keys[0] : undefined;
}

/**
 * The problem for a key no section has: why it was retired, else a key of the same name in
 * another section, else the closest known spelling, else a close name in another section.
 * `path` is how the source named it (an env name for env); `keyPath` the section.key it stands for.
 */
export function unknownKey(path: string, source: ConfigSource, known: Iterable<string>, keyPath = path): ConfigProblem {
  const retired = RETIRED_KEYS.get(keyPath);
  if (retired !== undefined) return { code: 'unknown_key', path, source, retired };
  const candidates = [...known];
  const suggestion = sameNameElsewhere(path, candidates) ?? closest(path, candidates) ?? misspeltElsewhere(path, candidates);
  return { code: 'unknown_key', path, source, ...(suggestion ? { suggestion } : {}) };
}
