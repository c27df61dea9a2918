import { describeSource, type ConfigSource } from './config-source.js';
import { visible } from './visible-name.js';

/** One thing wrong with the config. Loading reports every problem, not just the first. */
export type ConfigProblem =
  | {
      readonly code: 'invalid_value';
      readonly path: string;
      readonly expected: string;
      readonly given: unknown;
      readonly source: ConfigSource;
      /** The value as written in the file, when `given` cannot show it: `1e309` parses to Infinity. */
      readonly written?: string;
    }
  | { readonly code: 'constraint'; readonly path: string; readonly rule: string; readonly given: unknown; readonly source: ConfigSource }
  | { readonly code: 'unknown_key'; readonly path: string; readonly source: ConfigSource; readonly suggestion?: string; readonly retired?: string }
  | { readonly code: 'conflicting_env'; readonly path: string; readonly names: readonly [string, string] }
  /** A `TRADETRACE_` variable (one underscore) that is a config key mis-spelt: see misspeltKey in env-settings.ts. */
  | { readonly code: 'unknown_env'; readonly name: string; readonly expected: string; readonly suggestion?: string }
  | { readonly code: 'malformed_flag'; readonly flag: string; readonly given: string; readonly expected: string }
  | { readonly code: 'file_unreadable'; readonly file: string; readonly reason: string }
  | { readonly code: 'file_syntax'; readonly file: string; readonly reason: string; readonly line?: number; readonly column?: number }
  /** A secret given as a snapshot shows it (`sha256:...`, `[REDACTED]`): `given` is that form, shortened; `env` the key's variable. */
  | { readonly code: 'snapshot_secret'; readonly path: string; readonly given: string; readonly env: string; readonly source: ConfigSource }
  /** A config file with no settings at all: empty, only comments, or null. */
  | { readonly code: 'empty_file'; readonly file: string }
  /**
   * A section (`path` without a dot) or key written with no value in a file. `defaultText` is the
   * key's default; `line` and `column` are where its name is.
   */
  | { readonly code: 'no_value'; readonly file: string; readonly path: string; readonly defaultText?: string; readonly line?: number; readonly column?: number }
  | { readonly code: 'duplicate_key'; readonly file: string; readonly path: string; readonly line: number; readonly column: number; readonly firstLine: number };

export type ConfigProblemCode = ConfigProblem['code'];

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  // JSON.stringify writes Infinity and NaN as null, which is not what anyone gave.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/** One line per problem: the key path, what was expected, what was given, and where it came from. */
export function formatProblem(problem: ConfigProblem): string {
  switch (problem.code) {
    case 'invalid_value':
      return `${problem.path}: expected ${problem.expected}, got ${problem.written ?? shown(problem.given)} (from ${describeSource(problem.source)})`;
    case 'constraint':
      return `${problem.path}: ${problem.rule}, got ${shown(problem.given)} (from ${describeSource(problem.source)})`;
    case 'unknown_key':
      if (problem.retired) return `${problem.path}: no longer a config key (from ${describeSource(problem.source)}): ${problem.retired}; delete it`;
      return `${visible(problem.path)}: unknown config key (from ${describeSource(problem.source)})${problem.suggestion ? `; did you mean ${problem.suggestion}?` : ''}`;
    case 'conflicting_env':
      return `${problem.path}: set by both ${problem.names[0]} and ${problem.names[1]} with different values; set only one`;
    case 'unknown_env':
      return `${visible(problem.name)}: unknown environment variable; expected ${problem.expected}${problem.suggestion ? `; did you mean ${problem.suggestion}?` : ''}`;
    case 'malformed_flag':
      return `${problem.flag}: expected ${problem.expected}, got ${shown(problem.given)}`;
    case 'file_unreadable':
      return `config file ${problem.file}: cannot read it: ${problem.reason}`;
    case 'file_syntax': {
      const at = problem.line === undefined ? '' : `:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
      return `config file ${problem.file}${at}: ${problem.reason}`;
    }
    case 'snapshot_secret':
      return `${problem.path}: got ${JSON.stringify(problem.given)} (from ${describeSource(problem.source)}): this is how snapshots show a secret, not the secret itself; give the secret (env ${problem.env}, or in the config file), or leave the key out for none`;
    case 'empty_file':
      return `config file ${problem.file}: is empty (or only comments, or null); expected sections of settings, e.g. "trading:" then "  global_trading: false" beneath it (a file meant to change nothing holds {})`;
    case 'no_value': {
      const at = problem.line === undefined ? '' : `:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
      if (!problem.path.includes('.')) return `config file ${problem.file}${at}: section ${problem.path} is empty; give its keys beneath it, or remove the line`;
      const shownDefault = problem.defaultText === undefined || problem.defaultText === '' ? 'empty' : problem.defaultText;
      return `config file ${problem.file}${at}: ${problem.path} has no value; give one, or remove the line to use the default (${shownDefault})`;
    }
    case 'duplicate_key':
      return `${visible(problem.path)}: key given more than once in config file ${problem.file}:${problem.line}:${problem.column} (first at line ${problem.firstLine}); JSON would silently keep only the last, so give it once`;
  }
}
