import type { ConfigChange } from '../recorder/events/audit-events.js';
import { canonicalJson } from './canonical-json.js';
import { SECRET_HASH_PREFIX } from './audit-tree.js';
import { SECRET_PATHS } from './schema.js';

export const SECRET_CHANGED = '[changed]';

function leaves(tree: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof tree === 'object' && tree !== null && !Array.isArray(tree)) {
    for (const [key, value] of Object.entries(tree)) leaves(value, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, tree);
  }
  return out;
}

function isSecret(path: string, ...values: unknown[]): boolean {
  return SECRET_PATHS.has(path) || values.some((v) => typeof v === 'string' && v.startsWith(SECRET_HASH_PREFIX));
}

/**
 * Every leaf path whose value differs between two audit trees, sorted by path. A key present in
 * only one tree (the schema changed between versions) shows null on the side that lacks it.
 * Secrets are never shown, not even as hashes: both sides read "[changed]".
 */
export function diffConfigs(previous: unknown, current: unknown): ConfigChange[] {
  const before = leaves(previous);
  const after = leaves(current);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: ConfigChange[] = [];
  for (const path of paths) {
    const from = before.get(path) ?? null;
    const to = after.get(path) ?? null;
    if (canonicalJson(from) === canonicalJson(to)) continue;
    changes.push(isSecret(path, from, to) ? { path, from: SECRET_CHANGED, to: SECRET_CHANGED } : { path, from, to });
  }
  return changes;
}
