import { REDACTED, sanitizeText } from '../recorder/redaction.js';
import { CONFIG_KEYS } from './schema.js';

// `--set section.key=value` as one word or after `--set`: the value of a secret key is what to hide.
const SETTING = /^(--set=)?([a-z_]+\.[a-z0-9_]+)=/;

/**
 * The command line as it may be recorded (manifest, SESSION_START): the value of every
 * `--set <secret key>=...` is replaced, whatever its length or key name, and the rest gets the
 * recorder's text masks and known-secret scrub. A short secret (under 6 characters) is never
 * registered for the scrub, and a secret key need not be named like one, so the config's own
 * list of secret keys is the rule here, not the masks.
 */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((arg) => {
    const setting = SETTING.exec(arg);
    if (setting && CONFIG_KEYS.get(setting[2] ?? '')?.secret) return `${setting[0]}${REDACTED}`;
    return sanitizeText(arg);
  });
}
