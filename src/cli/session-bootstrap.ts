import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { auditConfig, emitConfigAudit, type ConfigAuditResult } from '../config/audit.js';
import { formatProblem } from '../config/config-problem.js';
import type { FlagSetting } from '../config/flag-settings.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { redactArgv } from '../config/redact-argv.js';
import type { Config } from '../config/schema.js';
import type { SessionEndReason } from '../recorder/events/audit-events.js';
import { installFatalHandlers } from '../recorder/fatal-handler.js';
import { FileSink } from '../recorder/file-sink.js';
import { logSinkOptions } from '../recorder/log-sink-options.js';
import { Recorder } from '../recorder/recorder.js';
import { resolveDataDir as resolveSharedDataDir } from '../recorder/sessions/data-dir.js';
import { writeManifest, type SessionManifest } from '../recorder/sessions/manifest.js';
import { findPreviousSession } from '../recorder/sessions/previous-session.js';
import { sessionFailure, type SessionFailure } from '../recorder/sessions/session-failure.js';
import { writeSessionConfig } from '../recorder/sessions/session-config-files.js';
import { createSessionDir, SESSIONS_DIR } from '../recorder/sessions/session-dir.js';
import { sequenceAfter, sessionEntries, type SessionEntry } from '../recorder/sessions/session-sequence.js';
import type { ShutdownSignal } from '../runtime/shutdown-coordinator.js';
import type { CliIo } from './command.js';
import { StartupSignals } from './startup-signals.js';

/** The flags every command that reads config shares; spread into a command's parseArgs options. */
export const CONFIG_FLAG_OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
} as const;

export const CONFIG_FLAGS_HELP = `  --config FILE        config file (JSON, or YAML for any other extension)
  --set KEY=VALUE      set one config key, e.g. --set execution.slippage_bps=25 (repeatable)
  --data-dir DIR       where logs/ and sessions/ live (default: $TRADETRACE_DATA_DIR or ./data)
`;

export interface SessionFlags {
  readonly config?: string | undefined;
  readonly set?: readonly string[] | undefined;
  readonly dataDir?: string | undefined;
  /** The command's own flags mapped onto config keys (they win over --set). */
  readonly mapped?: readonly FlagSetting[];
}

export type SessionStartMode = 'paper' | 'demo';

export interface StartSessionOptions {
  readonly mode: SessionStartMode;
  /** The command line as given (recorded, with secret values redacted, in SESSION_START and the manifest). */
  readonly argv: readonly string[];
  readonly io: CliIo;
  readonly flags: SessionFlags;
  readonly now?: () => Date;
  /**
   * Default true, the process-wide hooks a real session needs: an uncaught error writes FATAL, ends
   * the session as `fatal` and exits 1; SIGINT/SIGTERM before the session's own handlers (and after
   * them, until SESSION_END) cannot kill it with no end recorded (see StartupSignals).
   */
  readonly processHooks?: boolean;
}

export interface SessionPaths {
  readonly dataDir: string;
  readonly logsDir: string;
  readonly sessionsDir: string;
  readonly sessionDir: string;
}

export interface StartedSession {
  readonly sessionId: string;
  readonly config: Config;
  readonly loaded: LoadedConfig;
  readonly configHash: string;
  readonly recorder: Recorder;
  readonly paths: SessionPaths;
  readonly startedAt: Date;
  readonly drift: ConfigAuditResult['drift'];
  /**
   * Writes SESSION_END, records the end in the manifest and closes the recorder. Runs once (later
   * calls return the first result). Returns the exit code to leave with: `exitCode`, or 1 when the
   * end could not be recorded.
   */
  endSession(reason: SessionEndReason, exitCode: number, summary?: Record<string, unknown>, failure?: SessionFailure): number;
  /**
   * Call right before installing the session's own SIGINT/SIGTERM handlers: returns the signal that
   * came during startup (the session should stop at once, before trading), if any. Until then, and
   * after those handlers are gone until SESSION_END is written, a signal cannot kill the process
   * with no end recorded.
   */
  takeOverSignals(): ShutdownSignal | undefined;
}

export type StartSessionResult = { ok: true; value: StartedSession } | { ok: false; exitCode: number };

export function resolveDataDir(flags: SessionFlags, io: CliIo): string {
  return resolveSharedDataDir(flags.dataDir, io.env, io.cwd);
}

/** Loads config from the command's flags and the environment; prints every problem. Undefined on failure (exit 2). */
export function loadCliConfig(command: string, flags: SessionFlags, io: CliIo, consequence = ''): LoadedConfig | undefined {
  // '' resolves to the working directory, and reading a directory said EISDIR about a path nobody gave.
  if (flags.config === '') {
    io.stderr.write(`tradetrace ${command}: --config: the path is empty; give a config file (JSON, or YAML for any other extension)${consequence}\n`);
    return undefined;
  }
  const result = loadConfig({ file: flags.config, env: io.env, sets: flags.set ?? [], flags: flags.mapped ?? [], cwd: io.cwd });
  if (result.ok) return result.value;
  const count = result.errors.length;
  io.stderr.write(`tradetrace ${command}: invalid config (${count} problem${count === 1 ? '' : 's'})${consequence}:\n`);
  for (const problem of result.errors) io.stderr.write(`  - ${formatProblem(problem)}\n`);
  return undefined;
}

export function tradetraceVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The startup every trading command shares: config (exit 2 on any problem, before anything is
 * created), the session directory, the recorder, fatal handlers, then CONFIG_HASH, CONFIG_DIFF,
 * CONFIG_OVERRIDES and SESSION_START. If the flight record cannot be written, it fails with exit 1
 * before the caller can trade.
 */
export function startSession(options: StartSessionOptions): Promise<StartSessionResult> {
  // Async in its contract so startup may await I/O later (e.g. an exchange check) without changing callers.
  return Promise.resolve(startSessionNow(options));
}

function startSessionNow(options: StartSessionOptions): StartSessionResult {
  const { io, mode } = options;
  const loaded = loadCliConfig(mode, options.flags, io, '; nothing started');
  if (!loaded) return { ok: false, exitCode: 2 };
  const { config } = loaded;
  const dataDir = resolveDataDir(options.flags, io);
  const sessionsDir = join(dataDir, SESSIONS_DIR);
  const logsDir = join(dataDir, 'logs');
  const startedAt = (options.now ?? (() => new Date()))();
  // Durations on the monotonic clock, timestamps on the wall clock: a clock stepped back an hour
  // mid-session (NTP, a resumed VM) made SESSION_END's duration_ms -3559785.
  const startedMono = performance.now();
  const elapsedMs = (): number => Math.round(performance.now() - startedMono);
  const audit = auditConfig(config);
  const argv = redactArgv(options.argv);

  let recorder: Recorder | undefined;
  // Listening before anything of the session exists: with no listener, SIGINT's default action
  // kills the process the moment it lands, and one landing between SESSION_START and a later
  // install (a loaded machine descheduled the bot there) left a session with no end recorded.
  // This function runs to its end before any handler can: they see the recorder it opened.
  const signals =
    options.processHooks === false
      ? undefined
      : new StartupSignals({
          onPending: (signal) => {
            io.stderr.write(`tradetrace ${mode}: ${signal} during startup: the session stops as soon as it has started, before it trades; another ${signal} ends it now\n`);
            try {
              recorder?.emit('LOG', { component: 'shutdown', message: `${signal} during startup: the session stops as soon as it has started, before it trades`, data: { signal } });
            } catch {
              // SESSION_END says how it ended; a recorder that fails here fails there too, and is reported.
            }
          },
          onForced: (signal, exitCode) => {
            process.exit(endSession('signal', exitCode, undefined, { code: 'shutdown_forced', message: `a second ${signal} during startup ended the session (exit ${exitCode})` }));
          },
        });

  let manifest: SessionManifest;
  let session: { sessionId: string; dir: string };
  // Listed once: the new session's sequence follows theirs, and its previous session is among them.
  let known: SessionEntry[];
  try {
    session = createSessionDir(sessionsDir, startedAt);
    const sessionId = session.sessionId;
    known = sessionEntries(sessionsDir);
    const sequence = sequenceAfter(known, sessionId);
    known = known.map((entry) => (entry.sessionId === sessionId ? { ...entry, sequence } : entry));
    manifest = {
      session_id: session.sessionId, mode, version: tradetraceVersion(), pid: process.pid, host: hostname(), argv,
      data_dir: dataDir, config_hash: audit.hash, start: startedAt.toISOString(), end: null, exit_reason: null, exit_code: null, duration_ms: null,
      sequence,
    };
    writeSessionConfig(session.dir, audit.hash, audit.tree);
    writeManifest(session.dir, manifest);
  } catch (error) {
    io.stderr.write(`tradetrace ${mode}: cannot write the session record under ${dataDir}: ${message(error)}\nRefusing to start: a bot that cannot keep its flight record must not trade.\n`);
    signals?.release();
    return { ok: false, exitCode: 1 };
  }

  const previous = findPreviousSession(sessionsDir, session.sessionId, known);
  let uninstall = (): void => {};
  let ended: number | undefined;

  const endSession = (reason: SessionEndReason, exitCode: number, summary?: Record<string, unknown>, failure?: SessionFailure): number => {
    if (ended !== undefined) return ended;
    uninstall();
    let code = exitCode;
    const end = new Date();
    const durationMs = elapsedMs();
    try {
      if (!recorder) throw new Error('the recorder never opened');
      recorder.emit('SESSION_END', {
        reason, exit_code: exitCode, duration_ms: durationMs, ...(summary ? { summary } : {}), ...(failure ? { error_code: failure.code, message: failure.message } : {}),
      });
      recorder.close();
    } catch (error) {
      io.stderr.write(`tradetrace ${mode}: could not record SESSION_END: ${message(error)}\n`);
      code = Math.max(code, 1);
    }
    try {
      writeManifest(session.dir, { ...manifest, end: end.toISOString(), exit_reason: reason, exit_code: exitCode, duration_ms: durationMs, ...(failure ? { failure: { code: failure.code, message: failure.message } } : {}) });
    } catch (error) {
      io.stderr.write(`tradetrace ${mode}: could not update the session manifest: ${message(error)}\n`);
      code = Math.max(code, 1);
    }
    ended = code;
    signals?.release();
    return code;
  };

  let drift: ConfigAuditResult['drift'];
  try {
    // The watchdog thread's sink takes the same rotation (see paper-session), the alerts watcher's all of it.
    recorder = new Recorder({
      sessionId: session.sessionId,
      sink: new FileSink(logsDir, { mode: config.recorder.mode, ...logSinkOptions(config.recorder, () => recorder) }),
    });
    drift = emitConfigAudit(recorder, loaded, audit, previous).drift;
    recorder.emit('SESSION_START', {
      mode, version: manifest.version, pid: manifest.pid, host: manifest.host, data_dir: dataDir, config_hash: audit.hash, argv,
    });
  } catch (error) {
    io.stderr.write(`tradetrace ${mode}: cannot write the flight record in ${logsDir}: ${message(error)}\nRefusing to start: a bot that cannot keep its flight record must not trade.\n`);
    try {
      recorder?.close();
    } catch {
      // The sink already failed; the manifest below still records why the session ended.
    }
    ended = 1;
    try {
      // Refused: it never traded, so its config is not the next session's drift baseline. No
      // SESSION_END could be written, so the manifest is the only place that says why.
      const { code, message: why } = sessionFailure(error);
      writeManifest(session.dir, { ...manifest, end: new Date().toISOString(), exit_reason: 'refused', exit_code: 1, duration_ms: elapsedMs(), failure: { code, message: why } });
    } catch {
      // Reported above; nothing more to do.
    }
    signals?.release();
    return { ok: false, exitCode: 1 };
  }

  const opened = (rec: Recorder, end: StartedSession['endSession']): Omit<StartedSession, 'takeOverSignals'> => ({
    sessionId: session.sessionId, config, loaded, configHash: audit.hash, recorder: rec, paths: { dataDir, logsDir, sessionsDir, sessionDir: session.dir }, startedAt, drift, endSession: end,
  });
  if (options.processHooks === false) {
    return { ok: true, value: { ...opened(recorder, endSession), takeOverSignals: () => undefined } };
  }
  uninstall = installFatalHandlers(recorder, { onFatal: (error) => void endSession('fatal', 1, undefined, sessionFailure(error)) });
  const startup = signals;
  return { ok: true, value: { ...opened(recorder, endSession), takeOverSignals: () => startup?.takeOver() } };
}
