import type { ConfigProblem } from './config-problem.js';
import type { RawSetting } from './config-source.js';
import { CONFIG_KEYS } from './schema.js';
import { closest } from './suggest.js';

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

export interface EnvSettings {
  readonly settings: readonly RawSetting[];
  readonly problems: readonly ConfigProblem[];
}

/**
 * Settings from the environment: the spec's aliases and `TRADETRACE__SECTION__KEY` for every key.
 * A `TRADETRACE__` variable that names no key is a problem, so a typo cannot silently do nothing.
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
        const suggestion = closest(name, ENV_NAMES.keys());
        problems.push({ code: 'unknown_key', path: name, source: { kind: 'env', name }, ...(suggestion ? { suggestion } : {}) });
        continue;
      }
    }
    if (path === undefined) continue;
    const earlier = byPath.get(path);
    if (earlier) {
      if (earlier.raw.trim() !== raw.trim()) problems.push({ code: 'conflicting_env', path, names: [earlier.name, name] });
      continue;
    }
    byPath.set(path, { name, raw });
    settings.push({ path, raw, source: { kind: 'env', name } });
  }
  return { settings, problems };
}
