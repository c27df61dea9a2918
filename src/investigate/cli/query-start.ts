import { openLogSet, readManifests, type LogSet, type LogSetOptions } from '../query/log-set.js';
import { refusedInManifests } from '../query/manifest-failure.js';
import { SkippedLines } from '../query/skipped-lines.js';
import { lineBeingWritten } from '../query/written-tail.js';
import { EXIT } from '../exit-codes.js';
import { guardStdout, type GuardedIo } from './closed-stdout.js';
import { parseCommon, type CommonFlags, type OptionSpec } from './common-options.js';
import { noLogs } from './finish.js';
import type { QueryIo } from './query-io.js';

export type QueryStart<T extends QueryIo> =
  | { readonly ok: true; readonly guarded: GuardedIo<T>; readonly io: T; readonly flags: CommonFlags }
  | { readonly ok: false; readonly exitCode: number };

/**
 * The prologue every query command shares: output that stops quietly when the reader closes the
 * pipe, the common flags, a usage error with the command's help, and --help itself.
 */
export function startQuery<T extends QueryIo>(command: string, args: readonly string[], rawIo: T, help: string, extra: OptionSpec, maxPositionals: number): QueryStart<T> {
  const guarded = guardStdout(rawIo);
  const io = guarded.io;
  const flags = parseCommon(command, args, io, extra, maxPositionals);
  if (!flags.ok) {
    io.stderr.write(`${flags.error}\n\n${help}`);
    return { ok: false, exitCode: EXIT.usage };
  }
  if (flags.value.help) {
    io.stdout.write(help);
    return { ok: false, exitCode: EXIT.found };
  }
  return { ok: true, guarded, io, flags: flags.value };
}

export type OpenedLogs = { readonly ok: true; readonly set: LogSet; readonly skipped: SkippedLines } | { readonly ok: false; readonly exitCode: number };

export interface QueryLogsOptions extends Omit<LogSetOptions, 'lineBeingWritten'> {
  /**
   * Report a torn last line even while the bot that owns its file runs: health, which tells the
   * line being written from a dead bot's torn one by its own verdict. Every other query leaves out
   * the line a running bot is writing this instant (written-tail.ts), and reports any other.
   */
  readonly everyTornLine?: boolean;
  /**
   * Go on with no log files when a manifest records a start refused before trading (health,
   * sessions): one refused because it could not open its logs wrote none, and is in no log.
   */
  readonly orRefusedStart?: boolean;
}

/** The data directory's log files, or the "no logs here" exit that names the directory. */
export function openQueryLogs(command: string, dataDir: string, io: QueryIo, options: QueryLogsOptions = {}): OpenedLogs {
  const { everyTornLine, orRefusedStart, ...setOptions } = options;
  const set = openLogSet(dataDir, undefined, everyTornLine === true ? setOptions : { ...setOptions, lineBeingWritten: lineBeingWritten(dataDir) });
  const onlyRefused = orRefusedStart === true && set.files.length === 0 && refusedInManifests(readManifests(dataDir)).length > 0;
  const empty = onlyRefused ? null : noLogs(set, command, io);
  if (empty !== null) return { ok: false, exitCode: empty };
  return { ok: true, set, skipped: new SkippedLines() };
}

export type QueryOpened<T extends QueryIo> =
  | { readonly ok: true; readonly guarded: GuardedIo<T>; readonly io: T; readonly flags: CommonFlags; readonly set: LogSet; readonly skipped: SkippedLines }
  | { readonly ok: false; readonly exitCode: number };

/** startQuery then openQueryLogs, for the commands with no flags of their own to check in between. */
export function openQuery<T extends QueryIo>(
  command: string,
  args: readonly string[],
  rawIo: T,
  help: string,
  extra: OptionSpec,
  maxPositionals: number,
  logsOptions: Pick<QueryLogsOptions, 'everyTornLine' | 'orRefusedStart'> = {},
): QueryOpened<T> {
  const start = startQuery(command, args, rawIo, help, extra, maxPositionals);
  if (!start.ok) return start;
  // A query that goes on with --follow leaves a line still being written to the follow.
  const logs = openQueryLogs(command, start.flags.dataDir, start.io, { ...logsOptions, wholeLines: start.flags.values['follow'] === true });
  if (!logs.ok) return logs;
  return { ...start, set: logs.set, skipped: logs.skipped };
}
