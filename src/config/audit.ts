import type { ConfigChange } from '../recorder/events/audit-events.js';
import type { Recorder } from '../recorder/recorder.js';
import type { PreviousSession } from '../recorder/sessions/previous-session.js';
import { auditTree, displayValue, sha256Hex, type AuditTree } from './audit-tree.js';
import { canonicalJson } from './canonical-json.js';
import { describeSource } from './config-source.js';
import { diffConfigs } from './config-diff.js';
import { sourceOf, type ConfigOverride, type LoadedConfig } from './load-config.js';
import { CONFIG_KEYS, type Config } from './schema.js';

export interface ConfigAudit {
  /** First 16 hex chars of sha256 over `canonical`. */
  readonly hash: string;
  /** The effective config with secrets replaced by their hash: what config.json and CONFIG_HASH hold. */
  readonly tree: AuditTree;
  readonly canonical: string;
}

export function configHashOf(canonical: string): string {
  return sha256Hex(canonical).slice(0, 16);
}

export function auditConfig(config: Config): ConfigAudit {
  const tree = auditTree(config);
  const canonical = canonicalJson(tree);
  return { hash: configHashOf(canonical), tree, canonical };
}

/** The name the user set a value by: the env variable or the flag. */
/** The name a setting was given under: the env variable, or the flag (`--set trading.symbols`, `--data`). */
export function nameOf(source: ConfigOverride['source']): string {
  return source.kind === 'env' ? source.name : source.flag;
}

/**
 * The spec's override map: the name the user set (env variable or flag) -> `"<value> (from env)"`.
 * Secrets show as [REDACTED]. A flag that sets several keys (`--data`: the file, the source and
 * the symbols) is listed once per key, as `--data (trading.symbols)`, since one entry could show
 * only one of its values; a value a later source replaced says which one, or the log would show
 * a setting the bot did not run with.
 */
export function overridesRecord(loaded: LoadedConfig): Record<string, string> {
  const paths = new Map<string, Set<string>>();
  for (const override of loaded.overrides) paths.set(nameOf(override.source), (paths.get(nameOf(override.source)) ?? new Set()).add(override.path));
  const out: Record<string, string> = {};
  for (const override of loaded.overrides) {
    const key = CONFIG_KEYS.get(override.path);
    if (!key) continue;
    const name = nameOf(override.source);
    const label = (paths.get(name)?.size ?? 0) > 1 ? `${name} (${override.path})` : name;
    const effective = sourceOf(loaded, override.path);
    const replaced = effective.kind === 'env' || effective.kind === 'flag' ? nameOf(effective) : undefined;
    const by = replaced !== undefined && replaced !== name ? `; overridden by ${replaced}` : '';
    out[label] = `${displayValue(key, override.value)} (from ${override.source.kind}${by})`;
  }
  return out;
}

/**
 * Where each value not at its default came from, by path (`file /etc/bot.yaml`, `env TRADETRACE__...`,
 * `flag --set ...`): CONFIG_HASH's `sources`. CONFIG_OVERRIDES names only env variables and flags,
 * by name, and a value from the config file was attributed nowhere, so `drift` could not say where
 * a changed value came from.
 */
export function sourcesRecord(loaded: LoadedConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of [...loaded.sources.keys()].sort()) {
    const source = sourceOf(loaded, path);
    if (source.kind !== 'default' && CONFIG_KEYS.has(path)) out[path] = describeSource(source);
  }
  return out;
}

export function driftMessage(previousHash: string, currentHash: string): string {
  return `Config drift detected: ${previousHash.slice(0, 8)} -> ${currentHash.slice(0, 8)}`;
}

export interface ConfigAuditResult {
  /** Present when the previous session ran with another config. */
  readonly drift?: { readonly previous: PreviousSession; readonly changes: readonly ConfigChange[] };
}

/**
 * Writes the session's config audit trail: CONFIG_HASH always, CONFIG_DIFF when the previous
 * session's hash differs, CONFIG_OVERRIDES when any env variable or flag set a value.
 */
export function emitConfigAudit(recorder: Recorder, loaded: LoadedConfig, audit: ConfigAudit, previous: PreviousSession | undefined): ConfigAuditResult {
  recorder.emit('CONFIG_HASH', { config_hash: audit.hash, config: audit.tree, sources: sourcesRecord(loaded) });
  let result: ConfigAuditResult = {};
  if (previous && previous.configHash !== audit.hash) {
    if (!previous.config.ok) {
      recorder.emit('ERROR', { error_code: 'previous_config_unreadable', component: 'config', message: `cannot list what changed since ${previous.sessionId}: ${previous.config.error}` });
    }
    const changes = previous.config.ok ? diffConfigs(previous.config.value, audit.tree).map((c) => ({ ...c, source: describeSource(sourceOf(loaded, c.path)) })) : [];
    recorder.emit('CONFIG_DIFF', {
      message: driftMessage(previous.configHash, audit.hash),
      prev_hash: previous.configHash,
      current_hash: audit.hash,
      prev_session: previous.sessionId,
      changes,
    });
    result = { drift: { previous, changes } };
  }
  const overrides = overridesRecord(loaded);
  const names = [...new Set(loaded.overrides.map((o) => nameOf(o.source)))].sort();
  if (names.length > 0) {
    recorder.emit('CONFIG_OVERRIDES', { message: `Configuration overrides detected: ${names.join(', ')}`, overrides });
  }
  return result;
}
