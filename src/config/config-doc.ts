import { ENV_ALIASES, ENV_VARIABLES, envNameOf } from './env-settings.js';
import { CONFIG_KEYS, SECTIONS } from './schema.js';

const INTRO = `# Configuration

<!-- Generated from the config schema (src/config/sections/*.ts) by renderConfigDoc() in
src/config/config-doc.ts. Do not edit by hand: src/config/config-doc.test.ts fails when this file is
stale; regenerate with \`UPDATE_DOCS=1 npx vitest run src/config/config-doc.test.ts\`. -->

Every setting has a default, so tradetrace runs with no config at all. Settings come from four
places; a later one wins:

1. **defaults** (the tables below);
2. **a config file**, JSON or YAML (any extension other than \`.json\` is read as YAML), given with
   \`--config FILE\`; it names only the keys it changes, grouped by section;
3. **environment variables**: every key as \`TRADETRACE__SECTION__KEY\`, two underscores after
   \`TRADETRACE\` and between section and key (e.g. \`TRADETRACE__EXECUTION__SLIPPAGE_BPS=25\`), and
   the spec's own names ${Object.entries(ENV_ALIASES).map(([name, path]) => `\`${name}\` (\`${path}\`)`).join(' and ')};
   ${ENV_VARIABLES.map((name) => `\`${name}\``).join(', ')}, with one underscore, is not a key (it names the data directory);
4. **flags**: \`--set section.key=value\` (repeatable; a later one wins), and a command's own flags
   that map onto keys (\`tradetrace demo --symbol ETH/USDT\` sets \`trading.symbols\`).

\`\`\`yaml
# bot.yaml
trading:
  symbols: [BTC/USDT, ETH/USDT]
  max_open_positions: 2
execution:
  slippage_bps: 25
exits:
  max_holding: 4h
\`\`\`

\`tradetrace config --config bot.yaml\` prints the effective config (secrets redacted), its hash and
where each value that is not a default came from.

## How values are written

Env variables and flags are text, parsed per the key's type (a file may use native YAML/JSON types
or the same text):
- **booleans**: \`true/false\`, \`1/0\`, \`yes/no\`, \`on/off\` (any case); in a file also the native
  numbers \`1\` and \`0\` (no other number);
- **numbers and integers**: decimal text (\`25\`, \`0.5\`), within the range each key shows; text
  with an exponent (\`1e1\`) is refused, not read as \`10\` (a native number in a file is taken as
  its YAML/JSON parser reads it);
- **decimals** (money, and the percentages applied to prices): exact decimal text, never floats,
  and no exponent either;
- **durations**: a number with a unit, \`500ms\`, \`90s\`, \`5m\`, \`2h\`, \`1d\`, or combined \`1h30m\`;
  a bare number is refused, since \`30\` could mean seconds or milliseconds;
- **lists**: comma-separated in env and flags (\`BTC/USDT,ETH/USDT\`), a list in a file.

An empty env value unsets an optional key (credentials, webhook URL). Secrets are trimmed of
surrounding whitespace, so a \`\\r\` left by an env file saved with CRLF line ends is not part of the
key (it would change the key's hash, and \`drift\` would report a secret changed that had not).

Nothing in a config file means "the default": leave a key out for that. A key written with no value
(\`global_trading:\`, \`~\`, JSON \`null\`) is refused, naming the key, the file and the line and the
default it would have had; so is a section with nothing beneath it that ends the file
(\`trading:\` as its last line: cut short), and a file with no settings at all (0 bytes, only
comments, \`---\`, \`null\`). A section followed by comments or other sections (\`exchange:\` above
its credentials commented out) is left empty on purpose: its defaults. A deploy that cut the file short or
rendered a template to nothing must not start the bot on the defaults, trading on. A file meant to
change nothing holds \`{}\`. The exception is an optional key (the credentials and the webhook URL,
default unset), where no value means unset, as an empty env value does: a template that leaves the
credentials out gives a paper bot without them.

A secret given as a snapshot shows it, \`sha256:\` and 64 hex digits (\`sessions/<id>/config.json\`,
\`CONFIG_HASH\`) or \`[REDACTED]\` (\`tradetrace config\`), is refused from any source (file, env,
\`--set\`), naming the key: it is how a snapshot shows the secret, not the secret. So a session's
\`config.json\` reused as \`--config\` loads only with its secret lines removed (or none set); the
secrets then come from env (\`TRADETRACE__EXCHANGE__API_KEY\`, ...).

## When the config is read

Once, at start. A file edited while the bot runs takes effect at its next start, where
\`CONFIG_DIFF\` records what changed. SIGHUP does not reload it: like SIGTERM, SIGINT and SIGQUIT it
stops the bot cleanly (it is what a closed terminal or a dropped SSH connection sends).

Give secrets by env or in the config file, not as \`--set exchange.api_key=...\`: a command line is
readable by every user of the machine in \`ps\` and \`/proc/PID/cmdline\`, as \`--webhook URL\` is.
The session's record (the manifest's command line, \`SESSION_START\`) shows the value of every
\`--set\` of a secret key as \`[REDACTED]\`, but the process list does not.

## Invalid config

Loading reports every problem at once, one line each with the key path, what was expected, what was
given and where it came from, then exits with code 2 before anything starts (no session directory,
no log line). Unknown keys are errors, in a file, in a \`TRADETRACE__\` variable and in \`--set\`, with
the likely intended key suggested: a typo must not silently leave the default in force. So is a key
given twice in one file, JSON or YAML (a JSON parser would quietly keep only the last), and a key
written with one underscore after the prefix, with the two-underscore spelling suggested: a
\`TRADETRACE_\` variable with \`__\` in its name (\`TRADETRACE_EXECUTION__QUOTE_BUDGET\`), or one
whose name, all single underscores, reads as a section and one of its keys or a near miss of one
(\`TRADETRACE_EXECUTION_QUOTE_BUDGET\`), or one that is the prefix then a spec name or a key's
own name without its section (\`TRADETRACE_GLOBAL_TRADING\`, refused with \`did you mean
GLOBAL_TRADING or TRADETRACE__TRADING__GLOBAL_TRADING?\`; \`TRADETRACE_SLIPPAGE_BPS\`; not
\`TRADETRACE_NAME\`, which Docker \`--link\` sets). A key's variable in lower or mixed case
(\`tradetrace__execution__slippage_bps\`) is refused too, as the bot reads only the upper-case
name. A character that cannot be seen in a refused name (a zero-width space pasted with it) is
shown escaped, \`global_trading\\u200b\`. Any other \`TRADETRACE_\` variable is left alone, as is
every variable tradetrace does not read: Kubernetes gives each pod \`TRADETRACE_SERVICE_HOST\`,
\`TRADETRACE_PORT_9464_TCP_ADDR\` and the like for a Service named \`tradetrace\`, and Docker
\`--link\` makes similar ones.

\`\`\`text
tradetrace demo: invalid config (2 problems); nothing started:
  - trading.global_trading: expected a boolean (true/false, 1/0, yes/no, on/off), got "maybe" (from env GLOBAL_TRADING)
  - TRADETRACE__EXECUTION__SLIPAGE_BPS: unknown config key (from env TRADETRACE__EXECUTION__SLIPAGE_BPS); did you mean TRADETRACE__EXECUTION__SLIPPAGE_BPS?
\`\`\`

## Audit: hash, drift and overrides

At startup every session writes to \`logs/audit.jsonl\` and \`sessions/<session_id>/\`:
- \`CONFIG_HASH\`: the effective config and \`config_hash\`, the first 16 hex characters of the sha256
  of its canonical JSON (RFC 8785 style: keys sorted, no whitespace; durations in canonical form,
  so \`90s\` and \`1m30s\` hash alike). Secrets are replaced by \`sha256:<hash of the value>\`: a
  changed API key changes the config hash without the key ever being written. The same JSON is
  \`sessions/<id>/config.json\`, and the hash \`sessions/<id>/config_hash.txt\`.
- \`CONFIG_DIFF\` when the previous session (the latest earlier one under \`sessions/\`) ran with
  another hash: \`Config drift detected: <prev8> -> <cur8>\`, \`prev_hash\`, \`current_hash\`,
  \`prev_session\`, and \`changes\`, every changed \`{path, from, to}\`; secrets show only as
  \`"[changed]"\`. \`tradetrace drift\` reads from the two sessions' \`CONFIG_HASH\` lines whether a
  secret was set on each side, so it prints \`(unset) -> [set]\`, \`[set] -> (unset)\` or
  \`[secret changed]\`, never the value.
- \`CONFIG_OVERRIDES\` when any env variable or flag set a value:
  \`"GLOBAL_TRADING": "false (from env)"\`, \`"--set execution.slippage_bps": "25 (from flag)"\`. A flag
  that sets several keys is listed once per key (\`"--data (trading.symbols)": "BTC/USD (from flag)"\`),
  and a value a later source replaced says so: \`"10 (from env; overridden by --set execution.slippage_bps)"\`.

Secret keys (marked in the schema, below) are never printed; their values are also registered with
the recorder so they are scrubbed from any log text that might echo them (an exchange error, say).
`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** docs/config.md, generated from the schema so it cannot drift from it. */
export function renderConfigDoc(): string {
  const out = [INTRO];
  for (const section of Object.keys(SECTIONS)) {
    out.push(`## \`${section}\`\n`, '| key | default | accepts | env variable | meaning |', '|---|---|---|---|---|');
    for (const key of [...CONFIG_KEYS.values()].filter((k) => k.section === section)) {
      const alias = Object.entries(ENV_ALIASES).find(([, path]) => path === key.path)?.[0];
      const env = `\`${envNameOf(key.path)}\`${alias ? ` or \`${alias}\`` : ''}`;
      const defaultText = key.defaultText === undefined ? '(unset)' : key.defaultText === '' ? '(empty)' : `\`${key.defaultText}\``;
      out.push(`| \`${key.name}\`${key.secret ? ' **secret**' : ''} | ${cell(defaultText)} | ${cell(key.expected)} | ${env} | ${cell(key.description)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
