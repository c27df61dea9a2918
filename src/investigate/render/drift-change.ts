import type { ConfigChangeRow, SecretSide } from '../query/drift-query.js';

const shown = (v: unknown): string => (v === null || v === undefined ? '(absent)' : JSON.stringify(v));

const SIDE_WORD: Readonly<Record<Exclude<SecretSide, 'unknown'>, string>> = { set: '[set]', unset: '(unset)' };

/**
 * One changed path as drift prints it. A secret never shows its value, only whether it was set on
 * each side: `(unset) -> [set]` is a credential added, which "[changed]" on both sides hid. Set on
 * both sides, or not known, it is `[secret changed]`.
 */
export function changeLine(change: ConfigChangeRow): string {
  return `${changeText(change)}${sourcesText(change)}`;
}

function changeText(change: ConfigChangeRow): string {
  const { secret } = change;
  if (!secret) return `${change.path}: ${shown(change.from)} -> ${shown(change.to)}`;
  if (secret.from === 'unknown' || secret.to === 'unknown' || (secret.from === 'set' && secret.to === 'set')) return `${change.path}: [secret changed]`;
  return `${change.path}: ${SIDE_WORD[secret.from]} -> ${SIDE_WORD[secret.to]}`;
}

/**
 * Where the new value came from, and the old one when it came from elsewhere: ` (env TRADETRACE__X)`,
 * ` (file /etc/bot.yaml; was default)`. The operator no longer greps each session's CONFIG_OVERRIDES.
 * Nothing when the new session did not log it (older versions logged only env and flag values).
 */
function sourcesText(change: ConfigChangeRow): string {
  const { fromSource, toSource } = change;
  if (toSource === undefined) return fromSource === undefined ? '' : ` (was ${fromSource})`;
  return fromSource === undefined || fromSource === toSource ? ` (${toSource})` : ` (${toSource}; was ${fromSource})`;
}

/** One leaf of a session's config as `drift --session` lists it: a secret only as [set] or (unset). */
export function configLine(leaf: { path: string; value: unknown; secret?: Exclude<SecretSide, 'unknown'> }): string {
  return `${leaf.path} = ${leaf.secret ? SIDE_WORD[leaf.secret] : shown(leaf.value)}`;
}
