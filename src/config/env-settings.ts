import type { ConfigProblem } from './config-problem.js';
import type { RawSetting } from './config-source.js';
import { auditValue } from './audit-tree.js';
import { CONFIG_KEYS } from './schema.js';
import { closest } from './suggest.js';
import { unknownKey } from './unknown-key.js';

/** The spec's environment variables, by their own names. */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  GLOBAL_TRADING: 'trading.global_trading',
  ENABLE_LIVE_DASHBOARD: 'dashboard.enable_live_dashboard',
};

export const ENV_PREFIX = 'TRADETRACE__';

/** `trading.global_trading` -> `TRADETRACE__TRADING__GLOBAL_TRADING`. */
export function envNameOf(path: string): string {
  return ENV_PREFIX + path.split('.').join('__').toUpperCase();
}

const ENV_NAMES: ReadonlyMap<string, string> = new Map([...CONFIG_KEYS.keys()].map((path) => [envNameOf(path), path]));

/** The `TRADETRACE_` variables (one underscore) the bot reads that are not config keys. */
export const ENV_VARIABLES: readonly string[] = ['TRADETRACE_DATA_DIR'];

/**
 * `TRADETRACE_` variables of the test and CI tooling (test/support, .ci/run), not of the bot. Tests
 * run the bot with their own environment, so these reach it and must not make it refuse to start;
 * they are left out of what an operator is told to use.
 */
export const TOOLING_ENV_VARIABLES: readonly string[] = ['TRADETRACE_TOOLS_DIR', 'TRADETRACE_KEEP_TEST_DIRS'];

/** The prefix of every variable meant for tradetrace: a config key's, one underscore short. */
const FAMILY_PREFIX = 'TRADETRACE_';

const NOT_KEYS: ReadonlySet<string> = new Set([...ENV_VARIABLES, ...TOOLING_ENV_VARIABLES]);

const EXPECTED_ENV = `a config key as ${ENV_PREFIX}SECTION__KEY (two underscores after TRADETRACE and between section and key), or ${ENV_VARIABLES.join(', ')}`;

/**
 * The problem for a `TRADETRACE_` variable that is neither a key nor one of ENV_VARIABLES. The
 * likeliest is a key written with one underscore after the prefix, as TRADETRACE_DATA_DIR has:
 * `TRADETRACE_EXECUTION__QUOTE_BUDGET` would otherwise leave the default in force unnoticed.
 */
function unknownEnv(name: string): ConfigProblem {
  const asKey = ENV_PREFIX + name.slice(FAMILY_PREFIX.length);
  const suggestion = ENV_NAMES.has(asKey) ? asKey : closest(name, [...ENV_NAMES.keys(), ...ENV_VARIABLES]);
  return { code: 'unknown_env', name, expected: EXPECTED_ENV, ...(suggestion ? { suggestion } : {}) };
}

export interface EnvSettings {
  readonly settings: readonly RawSetting[];
  readonly problems: readonly ConfigProblem[];
}

/**
 * Whether two variables naming one key give it the same value: `1` and `true` do. Compared as
 * parsed (in audit form, so decimals and durations compare by value); text that does not parse is
 * compared as written, and is reported as a bad value anyway.
 */
function sameValue(path: string, a: string, b: string): boolean {
  if (a.trim() === b.trim()) return true;
  const key = CONFIG_KEYS.get(path);
  if (!key) return false;
  const [pa, pb] = [key.schema.safeParse(a), key.schema.safeParse(b)];
  return pa.success && pb.success && JSON.stringify(auditValue(key, pa.data)) === JSON.stringify(auditValue(key, pb.data));
}

/**
 * Settings from the environment: the spec's aliases and `TRADETRACE__SECTION__KEY` for every key.
 * A `TRADETRACE__` variable that names no key is a problem, and so is any other `TRADETRACE_`
 * variable the program does not read, so a typo cannot silently do nothing.
 */
export function envSettings(env: NodeJS.ProcessEnv): EnvSettings {
  const settings: RawSetting[] = [];
  const problems: ConfigProblem[] = [];
  const byPath = new Map<string, { name: string; raw: string }>();
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (raw === undefined) continue;
    let path = ENV_ALIASES[name];
    if (path === undefined && name.startsWith(ENV_PREFIX)) {
      path = ENV_NAMES.get(name);
      if (path === undefined) {
        const keyPath = name.slice(ENV_PREFIX.length).toLowerCase().replace('__', '.');
        // TRADETRACE__DATA_DIR is the same slip the other way round.
        problems.push(unknownKey(name, { kind: 'env', name }, [...ENV_NAMES.keys(), ...ENV_VARIABLES], keyPath));
        continue;
      }
    } else if (path === undefined && name.startsWith(FAMILY_PREFIX) && !NOT_KEYS.has(name)) {
      problems.push(unknownEnv(name));
      continue;
    }
    if (path === undefined) continue;
    const earlier = byPath.get(path);
    if (earlier) {
      if (!sameValue(path, earlier.raw, raw)) problems.push({ code: 'conflicting_env', path, names: [earlier.name, name] });
      continue;
    }
    byPath.set(path, { name, raw });
    settings.push({ path, raw, source: { kind: 'env', name } });
  }
  return { settings, problems };
}
