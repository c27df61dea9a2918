import { createHash } from 'node:crypto';
import { Decimal } from '../domain/decimal.js';
import { formatDuration } from './duration.js';
import { CONFIG_KEYS, type Config, type ConfigKey } from './schema.js';

export type AuditValue = string | number | boolean | null | readonly string[];
/** The effective config as plain JSON: `section -> key -> value`, what is hashed and snapshotted. */
export type AuditTree = Readonly<Record<string, Readonly<Record<string, AuditValue>>>>;

export const SECRET_HASH_PREFIX = 'sha256:';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The audit form of one value: durations as canonical text (`1m30s`, so `90s` and `1m30s` hash the
 * same), decimals as normalized text, secrets as the sha256 of their value (a changed key changes
 * the config hash without the key ever being written), unset as null.
 */
export function auditValue(key: ConfigKey, value: unknown): AuditValue {
  if (value === undefined || value === null) return null;
  if (key.secret) return SECRET_HASH_PREFIX + sha256Hex(typeof value === 'string' ? value : JSON.stringify(value));
  if (key.kind === 'duration' && typeof value === 'number') return formatDuration(value);
  if (value instanceof Decimal) return value.toString();
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new TypeError(`config key ${key.path} has a value of unexpected type ${typeof value}`);
}

/** A value as a person reads it: secrets never shown, durations with units, lists comma-joined. */
export function displayValue(key: ConfigKey, value: unknown): string {
  if (value === undefined || value === null) return '(unset)';
  if (key.secret) return '[REDACTED]';
  if (value === 0 && key.zeroWord !== undefined) return key.zeroWord;
  const audit = auditValue(key, value);
  return Array.isArray(audit) ? audit.join(',') : String(audit);
}

export function valueAt(config: Config, key: ConfigKey): unknown {
  return (config as unknown as Record<string, Record<string, unknown>>)[key.section]?.[key.name];
}

export function auditTree(config: Config): AuditTree {
  const tree: Record<string, Record<string, AuditValue>> = {};
  for (const key of CONFIG_KEYS.values()) {
    (tree[key.section] ??= {})[key.name] = auditValue(key, valueAt(config, key));
  }
  return tree;
}
