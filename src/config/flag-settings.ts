import { isSecretKey, REDACTED, sanitizeText } from '../recorder/redaction.js';
import type { ConfigProblem } from './config-problem.js';
import type { RawSetting } from './config-source.js';
import { CONFIG_KEYS, SECRET_PATHS } from './schema.js';
import { unknownKey } from './unknown-key.js';

/** A command's own flag mapped onto a config key, e.g. `--symbols ETH/USDT` -> trading.symbols. */
export interface FlagSetting {
  readonly path: string;
  readonly value: string;
  /** The flag as the user wrote it, e.g. `--symbols`. */
  readonly flag: string;
}

export interface FlagSettings {
  readonly settings: readonly RawSetting[];
  readonly problems: readonly ConfigProblem[];
}

// The secret keys' names without separators: `WEBHOOK-URL`, `exchange.ApiSecret` still name one.
const SECRET_NAMES: ReadonlySet<string> = new Set([...SECRET_PATHS].map((path) => squash(path.slice(path.indexOf('.') + 1))));

function squash(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** True when the key part of a `--set` the user wrote names a secret, in any case or spelling of separators. */
function namesSecret(key: string): boolean {
  const name = key.slice(key.lastIndexOf('.') + 1);
  return isSecretKey(key) || SECRET_NAMES.has(squash(name)) || SECRET_NAMES.has(squash(key));
}

/**
 * A malformed `--set` as an error may show it: when the part before the first `=`, `:` or space
 * names a secret (`EXCHANGE.API_KEY=...`, `exchange.api-key=...`), the value is not shown; the rest
 * gets the recorder's text masks.
 */
function shownSetting(entry: string): string {
  const sep = /[=:\s]/.exec(entry);
  if (sep && namesSecret(entry.slice(0, sep.index))) return `${entry.slice(0, sep.index + 1)}${REDACTED}`;
  return sanitizeText(entry);
}

/** Settings from `--set section.key=value` flags (in order: a later one wins) and from mapped flags. */
export function flagSettings(sets: readonly string[], mapped: readonly FlagSetting[] = []): FlagSettings {
  const settings: RawSetting[] = [];
  const problems: ConfigProblem[] = [];
  for (const entry of sets) {
    const eq = entry.indexOf('=');
    const path = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (eq <= 0 || !/^[a-z_]+\.[a-z0-9_]+$/.test(path)) {
      problems.push({ code: 'malformed_flag', flag: '--set', given: shownSetting(entry), expected: 'section.key=value, e.g. --set execution.slippage_bps=25' });
      continue;
    }
    const source = { kind: 'flag', flag: `--set ${path}` } as const;
    if (!CONFIG_KEYS.has(path)) {
      problems.push(unknownKey(path, source, CONFIG_KEYS.keys()));
      continue;
    }
    settings.push({ path, raw: entry.slice(eq + 1), source });
  }
  for (const { path, value, flag } of mapped) {
    if (!CONFIG_KEYS.has(path)) throw new Error(`flag ${flag} maps onto unknown config key ${path}`);
    settings.push({ path, raw: value, source: { kind: 'flag', flag } });
  }
  return { settings, problems };
}
