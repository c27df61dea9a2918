/**
 * Keeps secrets and forged lines out of the logs. Three layers:
 * - keys named like a secret are replaced wherever they appear in structured data;
 * - secret values registered at startup (API keys from config or env) are scrubbed from any string;
 * - free text gets `key=value` credentials masked, since exchange errors echo request URLs and headers.
 * JSON serialization itself makes newlines, quotes and control characters harmless.
 */
export const REDACTED = '[REDACTED]';

export const SECRET_KEY = /api[_-]?key|secret|passw(?:or)?d|token|passphrase|private[_-]?key|signature|credential/i;

// The value runs to a separator, brackets included: "(signature=abc)" loses its ")", but a password
// may hold any character, and stopping at a bracket left "password=[REDACTED])Xy9!" with the rest
// of it in clear. A value already masked is taken whole, so masking twice changes nothing.
const CREDENTIAL_IN_TEXT =
  /((?:api[_-]?key|apikey|secret|passw(?:or)?d|token|passphrase|signature|private[_-]?key)["']?\s*[:=]\s*["']?)(\[REDACTED\]|[^\s&"',;}]+)/gi;
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

export const MAX_TEXT_CHARS = 4_000;
export const MAX_ID_CHARS = 256;

const knownSecrets = new Set<string>();
let knownSecretList: string[] = [];
let epoch = 0;

/** Changes whenever a secret is registered: serializers drop cached output made before. */
export function redactionEpoch(): number {
  return epoch;
}

/** Registers a secret value so that it is scrubbed from every string the recorder writes. */
export function registerSecretValue(value: string): void {
  // Very short values would scrub ordinary words; no real credential is this short.
  if (value.length < 6 || knownSecrets.has(value)) return;
  knownSecrets.add(value);
  knownSecretList = [...knownSecrets].sort((a, b) => b.length - a.length);
  epoch++;
}

/** True once any secret value is registered: the serializer's fast paths are only valid before. */
export function hasKnownSecrets(): boolean {
  return knownSecretList.length > 0;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function scrubKnownSecrets(text: string): string {
  if (knownSecretList.length === 0) return text;
  let out = text;
  for (const secret of knownSecretList) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Bounds a string, marking how much was cut so a reader knows the value is partial. */
export function bound(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}

/** Text the credential masks could change: each needs `:`, `=` or "bearer". */
export const TEXT_SUSPECT = /[:=]|bearer/i;

/** Free text from outside: credentials masked, known secrets scrubbed, length bounded. */
export function sanitizeText(text: string): string {
  // Most text (quantities, ids, messages) has none of the masks' anchors: skip two global replaces.
  const masked = TEXT_SUSPECT.test(text) ? text.replace(CREDENTIAL_IN_TEXT, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`) : text;
  return bound(scrubKnownSecrets(masked), MAX_TEXT_CHARS);
}

export function sanitizeId(text: string): string {
  return bound(scrubKnownSecrets(text), MAX_ID_CHARS);
}

/**
 * A value under a secret-named key that holds no secret, so the key-name rule must keep it:
 * - a secret's hash as the config audit writes it (`sha256:` + 64 hex): config.json and the
 *   CONFIG_HASH line must hold the same tree, or the logged hash cannot be recomputed and a changed
 *   key goes unseen by drift;
 * - a value already masked, alone or with where it came from (`[REDACTED] (from env)`), as the
 *   CONFIG_OVERRIDES line writes it.
 * Anything else, even a string that merely starts like these, is still replaced.
 */
const ALREADY_SAFE = /^(?:sha256:[0-9a-f]{64}|\[REDACTED\](?: \(from (?:env|flag)\))?)$/;

function isAlreadySafe(item: unknown): boolean {
  return typeof item === 'string' && ALREADY_SAFE.test(item);
}

const MAX_DEPTH = 12;
const MAX_ITEMS = 1_000;

/** A deep copy of structured data with secret keys replaced and strings sanitized. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return redactValue((value as { toJSON: () => unknown }).toJSON(), depth + 1);
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => redactValue(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`…[${value.length - MAX_ITEMS} more items]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, item] of Object.entries(value)) {
    if (++count > MAX_ITEMS) {
      out['…'] = `[${Object.keys(value).length - MAX_ITEMS} more keys]`;
      break;
    }
    out[hasKnownSecrets() ? scrubKnownSecrets(key) : key] = isSecretKey(key) && item !== null && item !== undefined && item !== '' && !isAlreadySafe(item) ? REDACTED : redactValue(item, depth + 1);
  }
  return out;
}

