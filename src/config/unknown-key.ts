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

/**
 * The problem for a key no section has: why it was retired, else the closest known spelling.
 * `path` is how the source named it (an env name for env); `keyPath` the section.key it stands for.
 */
export function unknownKey(path: string, source: ConfigSource, known: Iterable<string>, keyPath = path): ConfigProblem {
  const retired = RETIRED_KEYS.get(keyPath);
  if (retired !== undefined) return { code: 'unknown_key', path, source, retired };
  const suggestion = closest(path, known);
  return { code: 'unknown_key', path, source, ...(suggestion ? { suggestion } : {}) };
}
