import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DURATION_EXPECTED, parseDuration } from '../../config/duration.js';
import { sourceOf, type LoadedConfig } from '../../config/load-config.js';
import { compactUtc } from '../../domain/ids.js';
import { ALERT_RULES, type AlertRule } from '../../recorder/events/alert-events.js';
import { FileSink } from '../../recorder/file-sink.js';
import { logSinkOptions, type LogSinkSettings } from '../../recorder/log-sink-options.js';
import { Recorder } from '../../recorder/recorder.js';
import { registerSecretValue } from '../../recorder/redaction.js';
import { resolveDataDir } from '../../recorder/sessions/data-dir.js';
import { parseAlertOptions, type AlertOptions, type AlertOptionsInput } from '../../alerts/alert-options.js';
import { transitionJson, transitionText } from '../../alerts/alert-record.js';
import { evaluatePastLogs, pastChannels } from '../../alerts/evaluate-past.js';
import { OBSERVED_CHANNELS } from '../../alerts/log-replay.js';
import { ConsoleNotifier } from '../../alerts/notifiers/console-notifier.js';
import { logWebhookError } from '../../alerts/notifiers/log-webhook-error.js';
import type { Notifier } from '../../alerts/notifiers/notifier.js';
import type { WebhookError } from '../../alerts/notifiers/webhook-error.js';
import { maskUrlsInText, maskWebhookUrl, WebhookNotifier } from '../../alerts/notifiers/webhook-notifier.js';
import { AlertWatcher } from '../../alerts/watch/alert-watcher.js';
import { WATCHER_PREFIX } from '../../alerts/watch/open-alerts.js';
import { stoppedPid } from '../../alerts/watch/process-probe.js';
import { guardStdout } from '../../investigate/cli/closed-stdout.js';
import { ThrottledReport } from '../../investigate/cli/throttled-report.js';
import { checkReadable, openLogSet } from '../../investigate/query/log-set.js';
import { SkipTally } from '../../investigate/query/skip-tally.js';
import { parseTimeSpec } from '../../investigate/render/time-format.js';
import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { SHUTDOWN_SIGNALS } from '../../runtime/shutdown-coordinator.js';
import { parseFlags } from '../../investigate/cli/parse-flags.js';
import type { CliIo } from '../command.js';
import { CONFIG_FLAG_OPTIONS, loadCliConfig } from '../session-bootstrap.js';
import { outliveTerminal } from '../startup-signals.js';

/** How long a stopping watcher waits for the webhook's pending deliveries. */
const DRAIN_MS = 3_000;

const HELP = `usage: tradetrace alerts [--data-dir D] [--config FILE] [--set KEY=VALUE] [--follow] [--since T] [options]

Without --follow: evaluates the logs already written and lists every alert that would have fired and
resolved, and when (exit 0; 1 when an alert is still firing). With --follow: watches a running bot,
tails logs/*.jsonl and writes ALERT_FIRED / ALERT_RESOLVED to logs/alerts.jsonl until SIGINT/SIGTERM/SIGHUP;
it also catches a bot that hung (no heartbeat) or died (its pid is gone and it wrote no SESSION_END).
It rotates and gzips alerts.jsonl as the bot does its logs (recorder.rotate_mb, compress_rotated,
compress_after) and deletes old rotated log files as the bot does (recorder.keep_rotated_for,
keep_rotated_mb; never the alerts and audit channels').

The rules' settings and the webhook come from the same config as the bot's (defaults < --config file
< TRADETRACE__ALERTS__* environment < --set), so alerts judges as the bot does; a flag below wins
over its config key. Give the webhook as alerts.webhook_url in the config file or in
$TRADETRACE__ALERTS__WEBHOOK_URL: a --webhook URL is visible to every user in ps and /proc/PID/cmdline.

options:
  --data-dir DIR               the bot's data directory (default ./data, or $TRADETRACE_DATA_DIR)
  --config FILE                the bot's config file (JSON, or YAML for any other extension)
  --set KEY=VALUE              set one config key, e.g. --set alerts.order_failure_rate=0.3 (repeatable)
  --follow                     keep watching
  --wait                       with --follow: watch a data directory the bot has not created yet
                               (without it, a missing directory is refused: usually a typo)
  --since T                    ignore lines before T: ISO (2025-10-26T10:00Z) or relative (30m, 2h, 1d)
  --json                       one JSON object per transition instead of text
  --rules a,b                  rules to evaluate (default all: ${ALERT_RULES.join(', ')}; without
                               config_drift when alerts.config_drift is false)
  --heartbeat-interval S       heartbeat interval (default: each session's runtime.heartbeat_interval, from
                               its CONFIG_HASH line; without that line, learned from the heartbeats, 30
                               before two were seen)
  --heartbeat-factor N         fire after N intervals without a heartbeat (default alerts.heartbeat_missing_multiple
                               if the config given here sets it, else each session's own, 3)
  --failure-threshold F        order failure rate that fires, a fraction (default alerts.order_failure_rate, 0.5)
  --failure-window S           sliding window (default alerts.order_failure_window, 15m = 900)
  --failure-min-intents N      fewest intents in the window that can fire (default alerts.order_failure_min_count, 4)
  --failure-late-fill-grace S  an intent the router gave up on after timeouts (timeout_exhausted) may
                               still fill (the bot's order watcher looks it up once a bar): it counts
                               as a failure only S seconds later (default 90; 0: at once), and a
                               late fill (or a restart's reconciliation booking one) makes it filled,
                               as in tradetrace orders
  --drift-resolve-after S      auto-resolve a config drift alert after S seconds (default: never)
  --webhook URL                also POST each transition as JSON to URL (default alerts.webhook_url;
                               prefer that: a flag is visible in ps) with retries and backoff; at
                               SIGINT/SIGTERM/SIGHUP, what is still pending gets ${DRAIN_MS / 1000} s, then is reported
                               as "N alerts not delivered to URL" (stderr and an ERROR line). The URL
                               is only ever shown as scheme://host:port/…; one with user:password@ is
                               refused (fetch cannot send it)
  --poll-ms N                  --follow: how often the logs are read (default 250)

A duration S is seconds (900) or, as in the config, a number with a unit: 500ms, 90s, 15m, 2h, 1d, 1h30m.

Lines that are not log lines are skipped and summarized in one line on stderr.
exit codes: 0 nothing firing, 1 an alert is still firing, 2 bad usage or (--follow) no such data
directory, 3 no logs to evaluate (without --follow: no log file of the channels the rules read) or
the logs cannot be read (the message names the file and why). --follow on a logs directory with no
log files yet watches it (the bot may not have started) and says so.
`;

const OPTIONS = {
  ...CONFIG_FLAG_OPTIONS,
  follow: { type: 'boolean' },
  wait: { type: 'boolean' },
  since: { type: 'string' },
  json: { type: 'boolean' },
  rules: { type: 'string' },
  'heartbeat-interval': { type: 'string' },
  'heartbeat-factor': { type: 'string' },
  'failure-threshold': { type: 'string' },
  'failure-window': { type: 'string' },
  'failure-min-intents': { type: 'string' },
  'failure-late-fill-grace': { type: 'string' },
  'drift-resolve-after': { type: 'string' },
  webhook: { type: 'string' },
  'poll-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = Partial<Record<keyof typeof OPTIONS, string | boolean | string[]>>;

function number(values: Values, flag: keyof typeof OPTIONS): number | undefined {
  const raw = values[flag];
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} ${JSON.stringify(raw)}: expected a number`);
  return n;
}

/**
 * Seconds: a bare number, as these flags always took, or a duration with a unit like the config key
 * the flag overrides takes (`alerts.order_failure_window: 15m`), so `--failure-window 10s` works.
 */
function seconds(values: Values, flag: keyof typeof OPTIONS): number | undefined {
  const raw = values[flag];
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(n)) return n;
  const ms = parseDuration(raw);
  if (ms === undefined) throw new UsageError(`--${flag} ${JSON.stringify(raw)}: expected seconds (e.g. 900) or ${DURATION_EXPECTED}`);
  return ms / 1000;
}

class UsageError extends Error {}

/**
 * The alert options: each flag given, else its config key, mapped as the bot maps them (see
 * paperAlerts), so `alerts` and the bot fire on the same evidence.
 */
function alertOptionsFrom(values: Values, loaded: LoadedConfig): AlertOptions {
  const { config } = loaded;
  const input: { -readonly [K in keyof AlertOptionsInput]: AlertOptionsInput[K] } = {};
  if (!config.alerts.config_drift) input.rules = ALERT_RULES.filter((rule) => rule !== 'config_drift');
  if (typeof values.rules === 'string') {
    const rules = values.rules.split(',').map((r) => r.trim()).filter(Boolean);
    const unknown = rules.filter((r) => !(ALERT_RULES as readonly string[]).includes(r));
    if (unknown.length > 0 || rules.length === 0) throw new UsageError(`--rules ${JSON.stringify(values.rules)}: expected a comma-separated list of ${ALERT_RULES.join(', ')}`);
    input.rules = rules as AlertRule[];
  }
  const intervalS = seconds(values, 'heartbeat-interval');
  const factorFlag = number(values, 'heartbeat-factor');
  const missingFactor = factorFlag ?? config.alerts.heartbeat_missing_multiple;
  // Nobody chose a multiple for this watcher: each session is judged by its own config's, as it judges itself.
  const factorFromSession = factorFlag === undefined && sourceOf(loaded, 'alerts.heartbeat_missing_multiple').kind === 'default';
  input.heartbeat = { ...(intervalS !== undefined ? { intervalS } : {}), missingFactor, factorFromSession };
  // A threshold of 1 could never be exceeded; the engine wants a rate strictly below it (as the bot).
  const threshold = number(values, 'failure-threshold') ?? Math.min(0.99, config.alerts.order_failure_rate);
  const windowS = seconds(values, 'failure-window') ?? config.alerts.order_failure_window / 1000;
  const minIntents = number(values, 'failure-min-intents') ?? config.alerts.order_failure_min_count;
  const lateFillGraceS = seconds(values, 'failure-late-fill-grace');
  input.orderFailure = { threshold, windowS, minIntents, ...(lateFillGraceS !== undefined ? { lateFillGraceS } : {}) };
  const resolveAfterS = seconds(values, 'drift-resolve-after');
  if (resolveAfterS !== undefined) input.configDrift = { resolveAfterS };
  const parsed = parseAlertOptions(input);
  if (!parsed.ok) {
    const flagOf: Record<string, string> = { 'heartbeat.intervalS': '--heartbeat-interval', 'heartbeat.missingFactor': '--heartbeat-factor', 'orderFailure.threshold': '--failure-threshold', 'orderFailure.windowS': '--failure-window', 'orderFailure.minIntents': '--failure-min-intents', 'orderFailure.lateFillGraceS': '--failure-late-fill-grace', 'configDrift.resolveAfterS': '--drift-resolve-after' };
    throw new UsageError(parsed.error.problems.map((p) => Object.entries(flagOf).reduce((text, [key, flag]) => text.replace(key, flag), p)).join('; '));
  }
  return parsed.value;
}

function firedText(count: number): string {
  return `${count} alert${count === 1 ? '' : 's'} fired`;
}

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  // `alerts | head -1`: output stops quietly when the reader closes the pipe (it crashed with EPIPE).
  const { io } = guardStdout(rawIo);
  let values: Values;
  try {
    values = parseFlags({ args: [...args], options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    io.stderr.write(`tradetrace alerts: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout.write(HELP);
    return 0;
  }
  // Scrubbed from every log line from now on, whatever later prints it by accident (the config's
  // alerts.webhook_url is registered by the config loader).
  if (typeof values.webhook === 'string') {
    registerSecretValue(values.webhook);
    if (URL.canParse(values.webhook)) registerSecretValue(new URL(values.webhook).href);
  }
  const loaded = loadCliConfig('alerts', { config: stringFlag(values.config), set: stringsFlag(values.set) }, io);
  if (!loaded) return 2;
  const { config } = loaded;
  const nowMs = Date.now();
  let options: AlertOptions;
  let sinceMs: number | undefined;
  let pollMs = 250;
  let webhook: { url: string; from: string } | undefined;
  try {
    options = alertOptionsFrom(values, loaded);
    if (typeof values.since === 'string') {
      const since = parseTimeSpec('--since', values.since, nowMs);
      if (!since.ok) throw new UsageError(since.error);
      sinceMs = Date.parse(since.value);
    }
    // Watch-only flags on a one-off evaluation would be silently ignored (a webhook that never posts).
    const watchOnly = (['webhook', 'wait', 'poll-ms'] as const).filter((flag) => values[flag] !== undefined);
    if (values.follow !== true && watchOnly.length > 0) throw new UsageError(`${watchOnly.map((flag) => `--${flag}`).join(', ')}: only with --follow (without it, alerts evaluates the logs once and exits)`);
    const poll = number(values, 'poll-ms');
    if (poll !== undefined) {
      if (poll < 10) throw new UsageError(`--poll-ms ${poll}: expected at least 10`);
      pollMs = poll;
    }
    // The config's webhook is the bot's too: a one-off evaluation does not post, and says nothing of it.
    if (typeof values.webhook === 'string') webhook = { url: values.webhook, from: '--webhook' };
    else if (config.alerts.webhook_url !== undefined) webhook = { url: config.alerts.webhook_url, from: 'alerts.webhook_url' };
    if (values.follow === true && webhook !== undefined && URL.canParse(webhook.url)) {
      const { username, password } = new URL(webhook.url);
      if (username !== '' || password !== '') throw new UsageError(`${webhook.from}: webhook url ${maskWebhookUrl(webhook.url)} must not carry user:password@ (fetch cannot send it); put the token in the path or query`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`tradetrace alerts: ${error.message}\n`);
    return 2;
  }
  const dirFlag = values['data-dir'];
  const dataDir = resolveDataDir(typeof dirFlag === 'string' ? dirFlag : undefined, io.env, io.cwd);
  const hintDir = followUpDataDir({ dataDir, values });
  const json = values.json === true;
  if (values.follow !== true) {
    // Opening them first turns an unreadable file into one clear error; the replay's streams would crash uncaught.
    const channels = pastChannels(options);
    const set = openLogSet(dataDir, channels);
    checkReadable(set);
    // "0 alerts fired", exit 0, over no logs at all would read as a healthy bot to a cron check.
    const absent = noLogsDir(dataDir) ?? (set.files.length === 0 ? noLogFiles(set.logsDir, channels) : null);
    if (absent) {
      io.stderr.write(`tradetrace alerts: ${absent}; check --data-dir or $TRADETRACE_DATA_DIR\n`);
      return EXIT.noLogs;
    }
    const skipped = new SkipTally();
    const result = await evaluatePastLogs(join(dataDir, 'logs'), {
      options, nowMs,
      onProblem: (problem) => skipped.add(problem.file, problem.lineNumber),
      stoppedPid: (sessionId) => stoppedPid(dataDir, sessionId),
      ...(sinceMs !== undefined ? { sinceMs } : {}),
    });
    const summary = skipped.take();
    if (summary) io.stderr.write(`${summary}\n`);
    for (const transition of result.transitions) io.stdout.write(json ? `${JSON.stringify(transitionJson(transition, 'replay'))}\n` : `${transitionText(transition, hintDir)}\n`);
    if (!json) io.stdout.write(`${result.linesRead} lines read from the ${result.channels.join(', ')} logs in ${join(dataDir, 'logs')} (the rules read no others); ${firedText(result.transitions.filter((t) => t.kind === 'fired').length)}, ${result.open.length} still firing\n`);
    return result.open.length > 0 ? 1 : 0;
  }
  return follow(dataDir, options, config.recorder, { pollMs, json, io, hintDir, wait: values.wait === true, ...(sinceMs !== undefined ? { sinceMs } : {}), ...(webhook !== undefined ? { webhook } : {}) });
}

/** What is missing when `dataDir` has no logs directory (null: it has one). */
function noLogsDir(dataDir: string): string | null {
  if (existsSync(join(dataDir, 'logs'))) return null;
  return existsSync(dataDir) ? `${dataDir} has no logs/ directory: no bot has run with it yet` : `no such data directory ${dataDir}`;
}

/** What is missing when the logs directory holds no file of the channels the rules read. */
function noLogFiles(logsDir: string, channels: readonly string[]): string {
  return `no log files to evaluate in ${logsDir} (it holds no ${channels.join(', ')} *.jsonl files: no bot has written logs here yet)`;
}

/** Why there is nothing to watch yet (null: the logs directory exists). */
function missingLogs(dataDir: string): string | null {
  const what = noLogsDir(dataDir);
  return what === null ? null : `${what}; check --data-dir or $TRADETRACE_DATA_DIR, or pass --wait to watch for a bot that has not started yet`;
}

const stringFlag = (value: Values[keyof Values]): string | undefined => (typeof value === 'string' ? value : undefined);
const stringsFlag = (value: Values[keyof Values]): string[] | undefined => (Array.isArray(value) ? value : undefined);

/** Why `path` cannot be appended to (`EROFS: read-only file system`), or null when it can. */
function appendProblem(path: string): string | null {
  try {
    closeSync(openSync(path, 'a', 0o640));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/, open '.*'$/, '') : String(error);
  }
}

async function follow(dataDir: string, options: AlertOptions, logSink: LogSinkSettings, flags: { pollMs: number; json: boolean; io: CliIo; hintDir: string | undefined; wait: boolean; sinceMs?: number; webhook?: { url: string; from: string } }): Promise<number> {
  const { io } = flags;
  const sessionId = `${WATCHER_PREFIX}${compactUtc(new Date())}_${process.pid}`;
  const notifiers: Notifier[] = [
    flags.json ? { notify: (t) => io.stdout.write(`${JSON.stringify(transitionJson(t, sessionId))}\n`), drain: () => Promise.resolve() } : new ConsoleNotifier(io.stdout, flags.hintDir),
  ];
  // The webhook's failures are recorded once the recorder exists; its URL is checked before anything is created.
  let onWebhookError: (error: WebhookError) => void = () => undefined;
  if (flags.webhook !== undefined) {
    try {
      notifiers.push(new WebhookNotifier({ url: flags.webhook.url, source: sessionId, onError: (error) => onWebhookError(error) }));
    } catch (error) {
      // The notifier's messages show the URL masked; masked once more in case one does not.
      io.stderr.write(`tradetrace alerts: ${flags.webhook.from}: ${maskUrlsInText(error instanceof Error ? error.message : String(error))}\n`);
      return 2;
    }
  }
  checkReadable(openLogSet(dataDir));
  // Checked before the FileSink, which would create the directory of a mistyped --data-dir and watch it forever.
  const missing = flags.wait ? null : missingLogs(dataDir);
  if (missing) {
    io.stderr.write(`tradetrace alerts: ${missing}\n`);
    return 2;
  }
  // Rotated, gzipped and pruned as the bot's own sink does (recorder.rotate_mb, compress_rotated,
  // keep_rotated_*), but durable whatever recorder.mode says: a transition that could not be
  // recorded is said at once (onRecordFailed), not at a later flush. What earlier runs left plain
  // is the bot's to compress at its start: two compressions of one file at once fail each other.
  const recorder: Recorder = new Recorder({
    sessionId,
    sink: new FileSink(join(dataDir, 'logs'), { mode: 'durable', ...logSinkOptions(logSink, () => recorder, { compressLeftovers: false }) }),
  });
  // The sink opens alerts.jsonl at the first alert: a watcher that cannot write it (read-only data
  // dir, run as another user) is told now, not when it is needed; it still prints and posts alerts.
  const unwritable = appendProblem(join(dataDir, 'logs', 'alerts.jsonl'));
  const sentTo = `printed here${flags.webhook !== undefined ? ' and sent to the webhook' : ''}`;
  if (unwritable !== null) io.stderr.write(`tradetrace alerts: cannot write ${join(dataDir, 'logs', 'alerts.jsonl')} (${unwritable}): alerts are ${sentTo} but not recorded\n`);
  const logError = logWebhookError(recorder);
  onWebhookError = (error) => {
    try {
      logError(error);
    } catch {
      // The log cannot take it (the same read-only directory): stderr is all that is left.
      io.stderr.write(`tradetrace alerts: ${error.message}\n`);
      return;
    }
    // Alerts lost at shutdown are said where the operator who pressed Ctrl-C looks, not only in the log.
    if (error.code === 'undelivered') io.stderr.write(`tradetrace alerts: ${error.message}\n`);
  };
  const skipped = new SkipTally();
  const report = new ThrottledReport((text) => io.stderr.write(text), () => skipped.take());
  // A poll that fails (a log turned unreadable) ends the watch like a signal does, then is thrown:
  // main names it on stderr and exits 3, never with a bare stack.
  let failure: unknown;
  let stopWatching: () => void = () => undefined;
  const watcher = new AlertWatcher({
    dataDir, recorder, options, notifiers, pollMs: flags.pollMs,
    onProblem: (p) => {
      skipped.add(p.file, p.lineNumber);
      report.note();
    },
    ...(flags.sinceMs !== undefined ? { sinceMs: flags.sinceMs } : {}),
    // A watcher that cannot record must still alert: said on stderr, and watching goes on.
    onRecordFailed: (error, transition) => {
      io.stderr.write(`tradetrace alerts: ${transition.kind} ${transition.rule} ${transition.subject} (${transition.alertId}) was ${sentTo} but not recorded: ${error instanceof Error ? error.message : String(error)}\n`);
    },
    onError: (error) => {
      failure = error;
      stopWatching();
    },
  });
  let stopped: () => void = () => undefined;
  const stopping = new Promise<void>((done) => (stopped = done));
  const stop = (signal?: NodeJS.Signals): void => {
    // A closed terminal sends SIGHUP: what the drain then says on stderr must not crash the stop.
    if (signal === 'SIGHUP') outliveTerminal({ streams: [io.stdout, io.stderr] });
    for (const each of SHUTDOWN_SIGNALS) process.off(each, stop);
    stopped();
  };
  stopWatching = stop;
  // Listening before "watching" is said and the watcher's first read: a signal sent as soon as the
  // line shows would otherwise meet Node's default action and kill the watch mid-write.
  for (const each of SHUTDOWN_SIGNALS) process.on(each, stop);
  // An empty logs directory is watched: its bot may not have started yet (unlike a missing one, not a typo).
  if (openLogSet(dataDir, OBSERVED_CHANNELS).files.length === 0) io.stderr.write(`tradetrace alerts: ${join(dataDir, 'logs')} holds no log files yet: waiting for a bot to write them\n`);
  io.stderr.write(`tradetrace alerts: watching ${join(dataDir, 'logs')} as ${sessionId} (alerts go to logs/alerts.jsonl)\n`);
  watcher.start();
  await stopping;
  await watcher.stop(DRAIN_MS);
  await report.flush();
  try {
    recorder.close();
  } catch (error) {
    // The recorder may be what failed: its own error is the one to report.
    failure ??= error;
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(`alert watcher failed: ${JSON.stringify(failure)}`);
  return 0;
}
