import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { registerSecretValue } from '../recorder/redaction.js';
import type { ConfigProblem } from './config-problem.js';
import { DEFAULT_SOURCE, type ConfigSource, type RawSetting } from './config-source.js';
import { envNameOf, envSettings } from './env-settings.js';
import { flagSettings, type FlagSetting } from './flag-settings.js';
import { expectedFor } from './keys.js';
import { readConfigFile } from './read-config-file.js';
import { CONFIG_KEYS, configSchema, SECRET_PATHS, type Config } from './schema.js';
import { snapshotForm } from './snapshot-secret.js';

export interface LoadConfigOptions {
  /** Config file (JSON, or YAML for any other extension); relative to `cwd`. Optional. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** `--set section.key=value` values, in command-line order. */
  readonly sets?: readonly string[];
  /** A command's own flags mapped onto keys; they win over `--set`. */
  readonly flags?: readonly FlagSetting[];
  readonly cwd?: string;
}

/** A value set by the environment or a flag: what CONFIG_OVERRIDES lists. */
export interface ConfigOverride {
  readonly path: string;
  readonly source: Extract<ConfigSource, { kind: 'env' | 'flag' }>;
  /** The parsed value this source gave (it may itself be overridden by a later source). */
  readonly value: unknown;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Where each key's effective value came from; keys not listed are defaults. */
  readonly sources: ReadonlyMap<string, ConfigSource>;
  /** Every env and flag setting, env first, in the order they apply. */
  readonly overrides: readonly ConfigOverride[];
  readonly file: string | undefined;
}

/** Where the effective value of `path` came from (`default` when nothing set it). */
export function sourceOf(loaded: LoadedConfig, path: string): ConfigSource {
  return loaded.sources.get(path) ?? DEFAULT_SOURCE;
}

export type LoadConfigResult = { ok: true; value: LoadedConfig } | { ok: false; errors: ConfigProblem[] };

function leafIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && (issue.params as { leaf?: boolean } | undefined)?.leaf === true;
}

/**
 * Loads the effective config: defaults < file < environment < flags. Every problem in any source
 * is reported (each with its key path, what was expected, what was given and where it came from);
 * nothing is returned unless the whole config is valid. Secret values are registered with the
 * recorder's redaction as soon as they are known to be valid.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadConfigResult {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file === undefined ? undefined : isAbsolute(options.file) ? options.file : resolve(cwd, options.file);
  const layers = [
    file === undefined ? { settings: [], problems: [] } : readConfigFile(file),
    envSettings(options.env ?? {}),
    flagSettings(options.sets ?? [], options.flags ?? []),
  ];
  const problems: ConfigProblem[] = layers.flatMap((layer) => layer.problems);

  const raw: Record<string, Record<string, unknown>> = {};
  const effective = new Map<string, RawSetting>();
  const overrides: ConfigOverride[] = [];
  for (const setting of layers.flatMap((layer) => layer.settings)) {
    const key = CONFIG_KEYS.get(setting.path);
    if (!key) continue;
    // Each setting is checked on its own, so a bad value is reported with its own source even when
    // a later source overrides it.
    const snapshot = key.secret ? snapshotForm(setting.raw) : undefined;
    if (snapshot !== undefined) {
      problems.push({ code: 'snapshot_secret', path: setting.path, given: snapshot, env: envNameOf(setting.path), source: setting.source });
      continue;
    }
    const parsed = key.schema.safeParse(setting.raw);
    if (!parsed.success) {
      problems.push({ code: 'invalid_value', path: setting.path, expected: expectedFor(key, setting.raw), given: key.secret ? '[REDACTED]' : setting.raw, source: setting.source });
      continue;
    }
    (raw[key.section] ??= {})[key.name] = setting.raw;
    effective.set(setting.path, setting);
    if (setting.source.kind === 'env' || setting.source.kind === 'flag') {
      overrides.push({ path: setting.path, source: setting.source, value: parsed.data });
    }
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.');
      if (leafIssue(issue) && problems.some((p) => 'path' in p && p.path === path)) continue;
      const setting = effective.get(path);
      const key = CONFIG_KEYS.get(path);
      const given = key?.secret ? '[REDACTED]' : setting?.raw;
      if (leafIssue(issue) && key) problems.push({ code: 'invalid_value', path, expected: expectedFor(key, setting?.raw), given, source: setting?.source ?? DEFAULT_SOURCE });
      else problems.push({ code: 'constraint', path, rule: issue.message, given, source: setting?.source ?? DEFAULT_SOURCE });
    }
  }
  if (problems.length > 0 || !result.success) return { ok: false, errors: problems };

  for (const path of SECRET_PATHS) {
    const [section, name] = path.split('.') as [string, string];
    const value = (result.data as Record<string, Record<string, unknown>>)[section]?.[name];
    if (typeof value === 'string') registerSecretValue(value);
  }
  const sources = new Map([...effective].map(([path, setting]) => [path, setting.source]));
  return { ok: true, value: { config: result.data, sources, overrides, file } };
}
