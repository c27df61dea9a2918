import { auditConfig } from '../../config/audit.js';
import { displayValue, valueAt, type AuditValue } from '../../config/audit-tree.js';
import { describeSource, type ConfigSource } from '../../config/config-source.js';
import { ENV_ALIASES, envNameOf } from '../../config/env-settings.js';
import { CONFIG_KEYS, SECTIONS } from '../../config/schema.js';
import { parseFlags } from '../../investigate/cli/parse-flags.js';
import type { CliIo } from '../command.js';
import { loadCliConfig } from '../session-bootstrap.js';

const HELP = `usage: tradetrace config [--config FILE] [--set KEY=VALUE ...] [--json]

Prints the effective config (secrets redacted), its hash (the config_hash a session started with
these settings records) and where each value that is not a default came from: file, env or flag.
An invalid config prints every problem and exits 2.

A paper session's flags are settings too, recorded under these keys: --data FILE is
market_data.source=candles_file and market_data.candles_file=FILE (as an absolute path),
--synthetic S is market_data.source=synthetic, --symbol or --synthetic S is trading.symbols=S,
--speed N is market_data.speed=N. Give them here as --set to get that session's hash; the
CONFIG_HASH line of audit.jsonl holds the config a session actually ran with.

Precedence: defaults < config file < environment < flags. Every key can be set in the environment
as TRADETRACE__SECTION__KEY (e.g. TRADETRACE__EXECUTION__SLIPPAGE_BPS=25); the spec's
${Object.keys(ENV_ALIASES).join(' and ')} work by those names.

options:
  --config FILE        config file (JSON, or YAML for any other extension)
  --set KEY=VALUE      set one key, e.g. --set trading.global_trading=false (repeatable)
  --json               print JSON: config_hash, file, config, sources
  -h, --help           this text
`;

/**
 * config prints the config that --config, the environment and --set make now; it reads nothing in a
 * data directory, so a --data-dir would be ignored in silence by a user who meant a session's config.
 */
const DATA_DIR_REFUSED =
  '--data-dir: config reads no data directory: it prints the config that --config FILE, the environment and --set make now; ' +
  'for the config a session ran with, run `tradetrace drift --data-dir DIR --session ID` (or read DIR/sessions/ID/config.json)';

function sourceJson(source: ConfigSource): Record<string, string> {
  const { kind, ...rest } = source;
  return { source: kind, ...rest };
}

export function run(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: [...args],
      // --data-dir is taken only to be refused with a sentence: every other command takes it.
      options: { config: { type: 'string' }, set: { type: 'string', multiple: true }, json: { type: 'boolean' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr.write(`tradetrace config: ${(error as Error).message}\n\n${HELP}`);
    return Promise.resolve(2);
  }
  if (values.help) {
    io.stdout.write(HELP);
    return Promise.resolve(0);
  }
  if (values['data-dir'] !== undefined) {
    io.stderr.write(`tradetrace config: ${DATA_DIR_REFUSED}\n`);
    return Promise.resolve(2);
  }
  const loaded = loadCliConfig('config', { config: values.config, set: values.set }, io);
  if (!loaded) return Promise.resolve(2);
  const audit = auditConfig(loaded.config);
  const keys = [...CONFIG_KEYS.values()];

  if (values.json) {
    const config: Record<string, Record<string, AuditValue>> = {};
    for (const key of keys) {
      const value = audit.tree[key.section]?.[key.name] ?? null;
      (config[key.section] ??= {})[key.name] = key.secret && value !== null ? '[REDACTED]' : value;
    }
    const sources = Object.fromEntries([...loaded.sources].map(([path, source]) => [path, sourceJson(source)]));
    io.stdout.write(`${JSON.stringify({ config_hash: audit.hash, file: loaded.file ?? null, config, sources }, null, 2)}\n`);
    return Promise.resolve(0);
  }

  const out: string[] = [`config_hash: ${audit.hash}`, `file: ${loaded.file ?? '(none)'}`, ''];
  const set = keys.filter((key) => loaded.sources.has(key.path));
  if (set.length === 0) {
    out.push('every value is a default', '');
  } else {
    out.push('not defaults:');
    const width = Math.max(...set.map((key) => `${key.path} = ${displayValue(key, valueAt(loaded.config, key))}`.length));
    for (const key of set) {
      const text = `${key.path} = ${displayValue(key, valueAt(loaded.config, key))}`;
      out.push(`  ${text.padEnd(width)}  from ${describeSource(loaded.sources.get(key.path) ?? { kind: 'default' })}`);
    }
    out.push('');
  }
  out.push('effective config (secrets redacted):');
  for (const section of Object.keys(SECTIONS)) {
    out.push(`[${section}]`);
    for (const key of keys.filter((k) => k.section === section)) {
      const mark = loaded.sources.has(key.path) ? '*' : ' ';
      out.push(` ${mark} ${key.name} = ${displayValue(key, valueAt(loaded.config, key))}`);
    }
  }
  out.push('', `(* = not a default; env name of any key: ${envNameOf('section.key')})`);
  io.stdout.write(`${out.join('\n')}\n`);
  return Promise.resolve(0);
}
