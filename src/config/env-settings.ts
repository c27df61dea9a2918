import type { ConfigProblem } from './config-problem.js';
import type { RawSetting } from './config-source.js';
import { auditValue } from './audit-tree.js';
import { CONFIG_KEYS, SECTIONS } from './schema.js';
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

/** The prefix of a config key's variable, one underscore short: where a mis-spelt key shows. */
const FAMILY_PREFIX = 'TRADETRACE_';

/** Each section as an env name spells it (`MARKET_DATA`), with the names of its keys. */
const SECTION_KEYS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.keys(SECTIONS).map((section) => [
    section.toUpperCase(),
    [...CONFIG_KEYS.values()].filter((key) => key.section === section).map((key) => key.name),
  ]),
);

/**
 * Docker --link copies each variable of the linked container into this one as ALIAS_ENV_NAME, so
 * a container linked as `tradetrace` gets TRADETRACE_ENV_TRADETRACE__EXECUTION__QUOTE_BUDGET: the
 * other bot's setting, not ours. No key has an ENV word, so no mis-spelt key looks like this.
 */
const DOCKER_LINK_COPY = /^TRADETRACE(?:_[A-Z0-9]+)*?_ENV_/;

/**
 * Names that are only the prefix short of right: `TRADETRACE_` then a spec alias
 * (`TRADETRACE_GLOBAL_TRADING`) or a key's own name without its section (`TRADETRACE_SLIPPAGE_BPS`),
 * each with what was meant. Exact names only, as a near miss here is as likely a Service's or a
 * wrapper's variable. `NAME` (strategy.name, exchange.name) is left out: Docker --link sets
 * TRADETRACE_NAME for a container linked as tradetrace.
 */
const BARE_NAMES: ReadonlyMap<string, string> = (() => {
  const names = new Map<string, string[]>();
  for (const [alias, path] of Object.entries(ENV_ALIASES)) names.set(alias, [alias, envNameOf(path)]);
  for (const key of CONFIG_KEYS.values()) {
    const name = key.name.toUpperCase();
    if (name === 'NAME' || ENV_ALIASES[name] !== undefined) continue;
    names.set(name, [...(names.get(name) ?? []), envNameOf(key.path)]);
  }
  return new Map([...names].map(([name, meant]) => [name, meant.join(' or ')]));
})();

/**
 * The value Kubernetes (and Docker --link) give `<SERVICE>_PORT`: a Service named tradetrace-metrics
 * makes TRADETRACE_METRICS_PORT=tcp://10.0.0.11:9464 in every pod, whose name is a key's bare name
 * (alerts.metrics_port). No setting of ours is written so: such a variable is the platform's.
 */
const SERVICE_ADDRESS = /^(?:tcp|udp|sctp):\/\/\S+$/i;

const EXPECTED_ENV = `a config key as ${ENV_PREFIX}SECTION__KEY (two underscores after TRADETRACE and between section and key), or ${ENV_VARIABLES.join(', ')}`;

function unknownEnv(name: string, suggestion: string | undefined): ConfigProblem {
  return { code: 'unknown_env', name, expected: EXPECTED_ENV, ...(suggestion ? { suggestion } : {}) };
}

/**
 * The problem for a `TRADETRACE_` variable (not `TRADETRACE__`) that is a config key mis-spelt, or
 * undefined for any other: those are ignored, as every variable the program does not read is.
 * Refusing every `TRADETRACE_` name kept the bot from starting where it is deployed: Kubernetes
 * gives each pod TRADETRACE_SERVICE_HOST, TRADETRACE_PORT_9464_TCP_ADDR and the like for a Service
 * named tradetrace, Docker --link makes the same, and wrapper scripts export TRADETRACE_HOME. A
 * mis-spelt key is one that:
 * - is the prefix then a spec alias or a key's name with no section (BARE_NAMES), exactly;
 * - has `__` in its name (`TRADETRACE_EXECUTION__QUOTE_BUDGET`, `TRADETRACE_EXECUTION_QUOTE__BUDGET`;
 *   `TRADETRACE___...` starts as a key does and is an unknown key): only a key is written so, and
 *   no platform makes such a name from a Service or link name;
 * - or, all single underscores, reads as an exact section then a key of it or close to one
 *   (`TRADETRACE_EXECUTION_QUOTE_BUDGET`, `TRADETRACE_TRADING_MAX_OPEN_POSITION`). One underscore
 *   cannot tell section from key, so every section the name begins with is tried. A section
 *   mis-spelt too (`TRADETRACE_EXECUTON_QUOTE_BUDGET`) is not caught: the looser the match, the
 *   likelier a Service's or link's name is taken for a key, and two slips in one name are rare.
 */
function misspeltKey(name: string): ConfigProblem | undefined {
  if (DOCKER_LINK_COPY.test(name)) return undefined;
  const rest = name.slice(FAMILY_PREFIX.length);
  const bare = BARE_NAMES.get(rest);
  if (bare !== undefined) return unknownEnv(name, bare);
  if (rest.includes('__')) {
    const asKey = ENV_PREFIX + rest;
    return unknownEnv(name, ENV_NAMES.has(asKey) ? asKey : closest(name, [...ENV_NAMES.keys(), ...ENV_VARIABLES]));
  }
  for (const [section, keys] of SECTION_KEYS) {
    if (!rest.startsWith(`${section}_`)) continue;
    const key = rest.slice(section.length + 1).toLowerCase();
    if (key === '') continue;
    const meant = keys.includes(key) ? key : closest(key, keys);
    if (meant !== undefined) return unknownEnv(name, envNameOf(`${section.toLowerCase()}.${meant}`));
  }
  return undefined;
}

/**
 * The problem for a config key's variable written in another case (`tradetrace__execution__slippage_bps`,
 * `TRADETRACE_global_trading`), or undefined: the bot reads only the upper-case name, so such a
 * variable would silently do nothing. Judged as its upper-case spelling would be, so a lower-case
 * variable that is no key (`tradetrace_home`) is left alone as its upper-case twin is.
 */
function wrongCase(name: string): ConfigProblem | undefined {
  const upper = name.toUpperCase();
  // TRADETRACE__ with a key in lower case is already an unknown key, with the spelling suggested.
  if (upper === name || !upper.startsWith(FAMILY_PREFIX) || name.startsWith(ENV_PREFIX)) return undefined;
  if (ENV_NAMES.has(upper)) return unknownEnv(name, upper);
  if (upper.startsWith(ENV_PREFIX)) return unknownEnv(name, closest(upper, [...ENV_NAMES.keys(), ...ENV_VARIABLES]));
  const problem = misspeltKey(upper);
  return problem?.code === 'unknown_env' ? { ...problem, name } : undefined;
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
 * A `TRADETRACE__` variable that names no key is a problem, and so is a `TRADETRACE_` one that is
 * a key mis-spelt (misspeltKey), so a typo cannot silently do nothing.
 */
export function envSettings(env: NodeJS.ProcessEnv): EnvSettings {
  const settings: RawSetting[] = [];
  const problems: ConfigProblem[] = [];
  const byPath = new Map<string, { name: string; raw: string }>();
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (raw === undefined) continue;
    let path = ENV_ALIASES[name];
    const caseSlip = path === undefined ? wrongCase(name) : undefined;
    if (caseSlip) {
      problems.push(caseSlip);
      continue;
    }
    if (path === undefined && name.startsWith(ENV_PREFIX)) {
      path = ENV_NAMES.get(name);
      if (path === undefined) {
        const keyPath = name.slice(ENV_PREFIX.length).toLowerCase().replace('__', '.');
        // TRADETRACE__DATA_DIR is the same slip the other way round.
        problems.push(unknownKey(name, { kind: 'env', name }, [...ENV_NAMES.keys(), ...ENV_VARIABLES], keyPath));
        continue;
      }
    } else if (path === undefined && name.startsWith(FAMILY_PREFIX) && !SERVICE_ADDRESS.test(raw)) {
      const problem = misspeltKey(name);
      if (problem) {
        problems.push(problem);
        continue;
      }
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
