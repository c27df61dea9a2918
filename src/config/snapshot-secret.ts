import { REDACTED } from '../recorder/redaction.js';
import { SECRET_HASH_PREFIX } from './audit-tree.js';

/** A secret as a session's config.json, CONFIG_HASH and `config --json` write it: its sha256. */
const HASHED = new RegExp(`^${SECRET_HASH_PREFIX}[0-9a-f]{64}$`, 'i');

/**
 * How a snapshot showed a secret, when that is what was given for one: `sha256:<64 hex>` (the
 * hash every snapshot holds) or `[REDACTED]` (what `config` prints), shortened to show in an
 * error; undefined for anything else. A snapshot reused as a config file (or its text pasted into
 * an env file) would otherwise set that text as the API key, and the exchange would be the first
 * to say so. No real credential has either form.
 */
export function snapshotForm(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (HASHED.test(text)) return `${text.slice(0, SECRET_HASH_PREFIX.length + 8)}…`;
  return text === REDACTED ? REDACTED : undefined;
}
