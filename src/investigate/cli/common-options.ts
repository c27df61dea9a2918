import type { ParseArgsConfig } from 'node:util';
import { negativeValuesJoined } from '../../domain/negative-values.js';
import { parseFlags } from './parse-flags.js';
import type { Result } from '../../domain/result.js';
import { resolveDataDir } from '../../recorder/sessions/data-dir.js';
import type { TimeWindow } from '../query/find-events.js';
import { parseTimeSpec } from '../render/time-format.js';
import { RELATIVE_EXPECTED } from './relative-time.js';
import { styleFor, type Style } from '../render/style.js';
import type { QueryIo } from './query-io.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every query command takes. */
export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  session: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export interface CommonFlags {
  readonly dataDir: string;
  readonly session: string | undefined;
  readonly window: TimeWindow;
  readonly json: boolean;
  readonly help: boolean;
  readonly style: Style;
  readonly nowMs: number;
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

/**
 * Parses the shared flags plus a command's own. Unknown flags and bad times are errors that name
 * the input and what was expected.
 */
export function parseCommon(command: string, args: readonly string[], io: QueryIo, extra: OptionSpec, maxPositionals: number): Result<CommonFlags, string> {
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  const options = { ...COMMON_OPTIONS, ...extra };
  try {
    parsed = parseFlags({ args: negativeValuesJoined(args, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    return { ok: false, error: `tradetrace ${command}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (parsed.positionals.length > maxPositionals) {
    return { ok: false, error: `tradetrace ${command}: unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}` };
  }
  const nowMs = Date.now();
  const window: { since?: string; until?: string } = {};
  for (const flag of ['since', 'until'] as const) {
    const raw = values[flag];
    if (typeof raw !== 'string') continue;
    const time = parseTimeSpec(`--${flag}`, raw, nowMs);
    if (!time.ok) return { ok: false, error: `tradetrace ${command}: --${flag} ${JSON.stringify(raw)}: expected ${RELATIVE_EXPECTED}` };
    window[flag] = time.value;
  }
  if (window.since && window.until && window.since > window.until) {
    // An empty window would search everything and find nothing: exit 1 for what is a mistake in the flags.
    const both = `--since ${JSON.stringify(values['since'])} (${window.since}) is after --until ${JSON.stringify(values['until'])} (${window.until})`;
    return { ok: false, error: `tradetrace ${command}: ${both}: expected --since to be the earlier time` };
  }
  const dirFlag = values['data-dir'];
  const dataDir = resolveDataDir(typeof dirFlag === 'string' ? dirFlag : undefined, io.env, io.cwd);
  const session = values['session'];
  return {
    ok: true,
    value: {
      dataDir,
      session: typeof session === 'string' ? session : undefined,
      window,
      json: values['json'] === true,
      help: values['help'] === true,
      style: styleFor(io.stdout.isTTY, io.env),
      nowMs,
      positionals: parsed.positionals,
      values,
    },
  };
}

/** What --json prints for the commands that answer with log lines (trace, orders, health, dash). */
export const JSON_RAW_LINES = 'print the matching raw log lines (one JSON object per line, for jq)';

/** Where the text of an option's help starts, so a description can go on over several lines. */
const HELP_TEXT_COLUMN = '  --data-dir DIR   '.length;

/**
 * The shared options' help, with what this command's --json prints: the raw log lines, or (`json`,
 * one string a line) the object the command prints instead. `window: false` leaves out
 * --since/--until for a command that refuses them, so its options do not offer what it refuses.
 */
export function commonHelp(json: string = JSON_RAW_LINES, options: { readonly window?: boolean } = {}): string {
  const jsonHelp = json.split('\n').join(`\n${' '.repeat(HELP_TEXT_COLUMN)}`);
  const window = options.window === false ? '' : `
  --since T        only lines at or after T: ISO (2025-10-26T10:00Z) or relative (30m, 1d, 1h30m)
  --until T        only lines at or before T (a bare date: to the end of that day)`;
  return `shared options:
  --data-dir DIR   the bot's data directory (default ./data, or $TRADETRACE_DATA_DIR)
  --session ID     only this session (session_YYYYMMDD_HHMMSS)${window}
  --json           ${jsonHelp}
unreadable lines are skipped and summarized in one line on stderr
exit codes: 0 found, 1 nothing matched, 2 bad usage, 3 no logs to search or they cannot be read`;
}

export const COMMON_HELP = commonHelp();
