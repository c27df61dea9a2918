import { isSecretKey, REDACTED, sanitizeText } from '../recorder/redaction.js';
import type { ConfigProblem } from './config-problem.js';
import type { RawSetting } from './config-source.js';
import { CONFIG_KEYS, SECRET_PATHS, SECTIONS } from './schema.js';
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

// `exchange=...` sets the whole section that holds the API key: its value may be the key itself.
const SECRET_SECTIONS: ReadonlySet<string> = new Set([...SECRET_PATHS].map((path) => squash(path.slice(0, path.indexOf('.')))));
const SECRET_PATHS_SQUASHED: readonly string[] = [...SECRET_PATHS].map((path) => path.split('.').map(squash).join('.'));
const SECTION_NAMES: ReadonlySet<string> = new Set(Object.keys(SECTIONS).map(squash));
const KEY_NAMES: ReadonlySet<string> = new Set([...CONFIG_KEYS.values()].map((key) => squash(key.name)));

/** The key part of a `--set` is a secret key, a key under one (`exchange.api_key.x`) or a section that holds one (`exchange`). */
function secretRelated(key: string): boolean {
  const squashed = key.split('.').map(squash).join('.');
  return namesSecret(key) || SECRET_SECTIONS.has(squash(key)) || SECRET_PATHS_SQUASHED.some((path) => squashed.startsWith(`${path}.`));
}

/**
 * Text shaped like a key path as someone types one (`trading.symbols`, `TRADING.GLOBAL-TRADING`,
 * `global_trading`): letters, digits, `_`, `-` and dots, starting with a config section or ending
 * with a key's name. A bare API key (`--set a8F3kd92Jd`, its `=` lost) is letters and digits too,
 * but not a section or a key.
 */
function keyShaped(text: string): boolean {
  if (!/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(text)) return false;
  const parts = text.split('.');
  if (parts.some((part) => part.length > 40)) return false;
  return SECTION_NAMES.has(squash(parts[0] ?? '')) || KEY_NAMES.has(squash(parts[parts.length - 1] ?? ''));
}

/** What a malformed `--set` shows when what was given may be a secret value. */
const NOT_SHOWN = '[not shown: it may be a secret]';

/**
 * A malformed `--set` as an error may show it. Its key part is the text before the first `=`, `:`
 * or space (or all of it): when that names a secret, is under one or is the section of one
 * (`EXCHANGE.API_KEY=...`, `exchange.api-key=...`, `exchange=...`), the value is not shown; when it
 * is not shaped like a key path at all (`--set SECRETVALUE`, a secret's own `=` padding), nothing
 * is. The rest gets the recorder's text masks.
 */
function shownSetting(entry: string): string {
  const sep = /[=:\s]/.exec(entry);
  const key = (sep ? entry.slice(0, sep.index) : entry).trim();
  if (!keyShaped(key)) return NOT_SHOWN;
  if (sep && secretRelated(key)) return `${entry.slice(0, sep.index + 1)}${REDACTED}`;
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
