import { existsSync } from 'node:fs';
import { EXIT } from '../investigate/exit-codes.js';
import { toLogReadError, type LogReadError } from '../investigate/log-read-error.js';
import { isRecorderError } from '../recorder/recorder-error.js';
import type { CliIo, CommandEntry } from './command.js';
import type { CommandName } from './command-names.js';
import { runnablePrefix, withRunnableCommands } from './runnable-commands.js';

/** Every command, loaded on demand so `tradetrace trace` does not pay for the engine's imports. */
const COMMANDS: Record<CommandName, CommandEntry> = {
  paper: { summary: 'run a paper-trading session (default: synthetic feed, live dashboard)', load: () => import('./commands/paper.js') },
  demo: { summary: 'a short session that exercises the flight recorder on a simulated fill (no exchange, no market data)', load: () => import('./commands/demo.js') },
  config: { summary: 'print the effective config (redacted), its hash and where each value came from', load: () => import('./commands/config.js') },
  trace: { summary: "a decision's whole chain: signal, guards, orders, fill or failure, exit", load: () => import('./commands/trace.js'), readsLogs: true },
  orders: { summary: 'order attempts with their constraints; failures grouped by reason', load: () => import('./commands/orders.js'), readsLogs: true },
  why: { summary: 'why the bot did not buy: decisions by outcome and blocking guards', load: () => import('./commands/why.js'), readsLogs: true },
  drift: { summary: 'config hashes across sessions and what changed', load: () => import('./commands/drift.js'), readsLogs: true },
  health: { summary: 'the last heartbeat: which loops were alive, how the session ended', load: () => import('./commands/health.js'), readsLogs: true },
  dash: { summary: 'dashboard events with the source file:line and decision behind each', load: () => import('./commands/dash.js'), readsLogs: true },
  sessions: { summary: 'every session with start, end, exit reason, config hash and counts', load: () => import('./commands/sessions.js'), readsLogs: true },
  alerts: { summary: 'evaluate alert rules over the logs (--follow: watch a running bot)', load: () => import('./commands/alerts.js'), readsLogs: true },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return `usage: tradetrace <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'tradetrace <command> --help' for a command's options; 'tradetrace --version' for the version.\n`;
}

export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    const { tradetraceVersion } = await import('./session-bootstrap.js');
    io.stdout.write(`tradetrace ${tradetraceVersion()}\n`);
    return 0;
  }
  const entry = isCommandName(name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr.write(`tradetrace: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  const commandIo = entry.readsLogs && !rest.includes('--json') ? runnableIo(io) : io;
  for (let attempt = 1; ; attempt++) {
    try {
      return await command.run(rest, commandIo);
    } catch (error) {
      const unreadable = entry.readsLogs ? toLogReadError(error) : null;
      // Asked again: the files are listed anew, the .gz in place of the plain file. A query prints
      // its answer at the end, so nothing was printed yet; one that follows prints as it goes.
      if (unreadable && attempt < GAVE_WAY_RETRIES && !rest.includes('--follow') && gaveWayToGzip(unreadable)) continue;
      return failed(name, entry, error, io);
    }
  }
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/**
 * A query's human output, its follow-up suggestions (`next: tradetrace trace ...`) made runnable by
 * whoever reads them: `npx tradetrace ...` in a fresh checkout, where no `tradetrace` is on PATH.
 */
function runnableIo(io: CliIo): CliIo {
  const prefix = runnablePrefix(io.env, io.cwd);
  return { ...io, stdout: withRunnableCommands(io.stdout, prefix), stderr: withRunnableCommands(io.stderr, prefix) };
}

/** Times a query is run when rotated files keep giving way to their .gz under it (each run is fast). */
const GAVE_WAY_RETRIES = 3;

/**
 * A rotated plain log file the bot gzipped (src/recorder/rotated-compression.ts) between the query
 * listing it and reading it: gone, its .gz in its place. Nothing is wrong with the logs.
 */
function gaveWayToGzip(error: LogReadError): boolean {
  return error.errno === 'ENOENT' && existsSync(`${error.path}.gz`);
}

/** The one place a read failure becomes a message and an exit code: the commands let it through. */
function failed(name: string, entry: CommandEntry, error: unknown, io: CliIo): number {
  if (!entry.readsLogs) throw error;
  const unreadable = toLogReadError(error);
  // alerts --follow also writes logs/alerts.jsonl: a folder it may read but not write is the same kind of problem.
  const unwritable = isRecorderError(error) ? error : null;
  if (!unreadable && !unwritable) throw error;
  io.stderr.write(`tradetrace ${name}: ${(unreadable ?? unwritable)?.message ?? ''}\n`);
  return EXIT.unreadable;
}
