import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startMetricsServer } from '../../alerts/metrics/metrics-server.js';
import { parseDuration, DURATION_EXPECTED } from '../../config/duration.js';
import type { FlagSetting } from '../../config/flag-settings.js';
import { errorMessage } from '../../engine/engine-halt.js';
import { TimeframeChangedError } from '../../engine/timeframe-changed-error.js';
import type { EngineObserver } from '../../engine/engine-stats.js';
import { checkReplayMarkets } from '../../engine/paper-markets.js';
import { PaperSession } from '../../engine/paper-session.js';
import { replaySymbols, type FeedChoice } from '../../engine/paper-setup.js';
import { formatPaperSummary, logFilesShown, paperSummary, type PaperSummary } from '../../engine/session-summary.js';
import { emitStartWarning, watchStartWarnings } from '../../engine/startup-warnings.js';
import { isCandleFileError, parseSpeed, type ReplaySpeed } from '../../market-data/index.js';
import { sessionFailure } from '../../recorder/sessions/session-failure.js';
import { listLogFiles } from '../../recorder/log-files.js';
import { DashboardModel, loopsFromHeartbeat } from '../../ui/dashboard-model.js';
import { TerminalDashboard } from '../../ui/terminal-dashboard.js';
import type { CliIo } from '../command.js';
import { paperAlerts } from '../paper/paper-alerts.js';
import { runnableTraceCommands } from '../paper/runnable-trace.js';
import { configuredReplayProblem } from '../paper/configured-replay.js';
import { settingsNotRun, startingBalanceNotRun } from '../paper/settings-not-run.js';
import { PinnedRowsStream, printStartWarnings, startWarningLine } from '../paper/start-warning-lines.js';
import { leaveNow } from '../paper/leave-now.js';
import { CONFIG_FLAG_OPTIONS, CONFIG_FLAGS_HELP, loadCliConfig, startSession } from '../session-bootstrap.js';

const HELP = `usage: tradetrace paper [options]

Paper trading: the whole bot (strategy, guards, order router, exits, persisted state) against a
simulated exchange, on candle files or a seeded synthetic market. Ends when the data ends, the
duration is reached, or on Ctrl-C; then prints a summary ending with a \`tradetrace trace\` command.

options:
${CONFIG_FLAGS_HELP}  --data FILE          candle file to replay (.csv with a header or .json [ts,o,h,l,c,v] rows); repeatable
  --symbol SYMBOL      symbol of each --data file, in order (default: from the file name)
  --synthetic SYMBOLS  trade a seeded synthetic market instead, e.g. BTC/USDT,ETH/USDT
  --speed N|max        replay speed: 1 real time, 60 = an hour a minute, max as fast as it goes
  --duration D         stop after this much wall-clock time, e.g. 90s, 5m, 2h (not market time:
                       at --speed 60, 5m covers about 5 hours of bars), counted from the feed's
                       start (FEED_START), after the ~1 s startup (default for the synthetic feed: 5m)
  --seed N             seed of the synthetic market and of the injected faults
  --metrics-port N     serve Prometheus metrics on 127.0.0.1:N
  -h, --help           this text
`;

const OPTIONS = {
  ...CONFIG_FLAG_OPTIONS,
  data: { type: 'string', multiple: true },
  symbol: { type: 'string', multiple: true },
  synthetic: { type: 'string' },
  speed: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  'metrics-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SYNTHETIC_DEFAULT_DURATION_MS = 5 * 60_000;

function usage(io: CliIo, message: string): number {
  io.stderr.write(`tradetrace paper: ${message}\n\n${HELP}`);
  return 2;
}

/** The first --data argument that is not a readable regular file, described; undefined when all are. */
async function missingFile(files: readonly string[]): Promise<string | undefined> {
  for (const file of files) {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => error.code ?? String(error));
    if (typeof info === 'string') return `${JSON.stringify(file)}: ${info === 'ENOENT' ? 'no such file' : info}; expected a candle file (.csv with a header or .json [ts,o,h,l,c,v] rows)`;
    if (!info.isFile()) return `${JSON.stringify(file)}: not a regular file; expected a candle file (.csv with a header or .json [ts,o,h,l,c,v] rows)`;
  }
  return undefined;
}

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.data && values.synthetic !== undefined) return usage(io, '--data and --synthetic exclude each other: replay files or trade the synthetic market');
  if (values.symbol && !values.data) return usage(io, '--symbol names the symbol of a --data file; give --data too');
  let speed: ReplaySpeed | undefined;
  if (values.speed !== undefined) {
    try {
      speed = parseSpeed(values.speed);
    } catch (error) {
      return usage(io, `--speed: ${(error as Error).message}`);
    }
  }
  let durationMs: number | undefined;
  if (values.duration !== undefined) {
    durationMs = parseDuration(values.duration);
    if (durationMs === undefined) return usage(io, `--duration ${JSON.stringify(values.duration)}: expected ${DURATION_EXPECTED}`);
    // `0s` has its unit: what is wrong is a session that would stop before it started.
    if (durationMs <= 0) return usage(io, `--duration ${JSON.stringify(values.duration)}: expected a duration of more than 0, e.g. 90s, 5m or 2h`);
  }
  const mapped: FlagSetting[] = [];
  const files = values.data?.map((f) => f) ?? [];
  if (files.length > 0) {
    const missing = await missingFile(files);
    if (missing !== undefined) {
      io.stderr.write(`tradetrace paper: --data ${missing}\nnothing started\n`);
      return 2;
    }
    let symbols: string[];
    try {
      symbols = await replaySymbols(files, values.symbol);
      // The files together, before anything starts: one file per market, one quote currency (with the flags that relabel them).
      checkReplayMarkets(files.map((file, i) => ({ file, symbol: symbols[i] ?? '' })));
    } catch (error) {
      io.stderr.write(`tradetrace paper: ${(error as Error).message}\nnothing started\n`);
      return 2;
    }
    // Recorded absolute: the same file named from another folder is not config drift, and the same
    // name in another folder (another file) is.
    const recorded = files.map((file) => resolve(file)).join(',');
    mapped.push({ path: 'market_data.source', value: 'candles_file', flag: '--data' }, { path: 'market_data.candles_file', value: recorded, flag: '--data' });
    mapped.push({ path: 'trading.symbols', value: symbols.join(','), flag: values.symbol ? '--symbol' : '--data' });
  }
  if (values.synthetic !== undefined) {
    mapped.push({ path: 'market_data.source', value: 'synthetic', flag: '--synthetic' }, { path: 'trading.symbols', value: values.synthetic, flag: '--synthetic' });
  }
  if (speed !== undefined) mapped.push({ path: 'market_data.speed', value: String(speed), flag: '--speed' });
  if (values.seed !== undefined) mapped.push({ path: 'paper_exchange.seed', value: values.seed, flag: '--seed' });
  if (values['metrics-port'] !== undefined) mapped.push({ path: 'alerts.metrics_port', value: values['metrics-port'], flag: '--metrics-port' });

  const flags = { config: values.config, set: values.set, dataDir: values['data-dir'], mapped };
  if (files.length === 0 && values.synthetic === undefined) {
    // A replay the config sets is checked before anything starts, as --data is.
    const preview = loadCliConfig('paper', flags, io, '; nothing started');
    if (!preview) return 2;
    const problem = await configuredReplayProblem(preview, missingFile);
    if (problem !== undefined) {
      io.stderr.write(`tradetrace paper: ${problem}\nnothing started\n`);
      return 2;
    }
  }
  const started = await startSession({ mode: 'paper', argv: ['paper', ...args], io, flags });
  if (!started.ok) return started.exitCode;
  const s = started.value;
  const { config, recorder } = s;
  const data = config.market_data;
  const feed: FeedChoice =
    data.source === 'candles_file' && data.candles_file !== ''
      ? { kind: 'replay', files: data.candles_file.split(','), symbols: config.trading.symbols }
      : { kind: 'synthetic', symbols: config.trading.symbols };
  const runSpeed: ReplaySpeed = data.speed === 0 ? 'max' : data.speed;
  const duration = durationMs ?? (feed.kind === 'synthetic' ? SYNTHETIC_DEFAULT_DURATION_MS : undefined);

  // A reader that goes away (a closed pipe) must not take the bot down: output stops, trading goes on.
  let outputBroken = false;
  io.stdout.on('error', (error: Error) => {
    if (outputBroken) return;
    outputBroken = true;
    try {
      recorder.emit('ERROR', { error_code: 'stdout_failed', message: `stdout: ${error.message}; dashboard output stopped, the session goes on`, component: 'paper' });
    } catch {
      // The record is closed: the summary, the last thing written, comes after SESSION_END. The
      // session's outcome is recorded already; a reader gone by then must not turn it into exit 1.
    }
  });
  const model = new DashboardModel();
  model.setSession(s.sessionId, 'paper', config.trading.quote_currency);
  let session: PaperSession | undefined;
  const observer: EngineObserver = {
    onBar: (symbol) => {
      model.countBar();
      const px = session?.portfolio.lastPrice(symbol);
      if (px) model.setPrice(symbol, px);
    },
    onDecision: (note) => model.recordDecision({ decisionId: note.decisionId, symbol: note.symbol, outcome: note.outcome, detail: note.detail, at: note.at }),
    onOrderFailed: (reason) => model.recordOrderFailure(reason),
    onPortfolioChanged: () => {
      if (!session) return;
      const view = session.portfolio.view();
      model.setPositions(view.positions);
      model.setBalances(view.balances);
      model.setPnl(view.realizedPnl, view.feesPaid);
    },
  };
  // What will limit trading, or a setting given that is not what runs, was said only in
  // system.jsonl: the terminal shows the same warnings, from the same LOG lines, before trading begins.
  const startWarnings = watchStartWarnings(recorder);
  for (const warning of settingsNotRun(s.loaded)) emitStartWarning(recorder, warning);
  try {
    session = await PaperSession.open({ config, recorder, dataDir: s.paths.dataDir, logsDir: s.paths.logsDir, feed, speed: runSpeed, observer, ...(duration === undefined ? {} : { durationMs: duration }) });
  } catch (error) {
    startWarnings.stop();
    printStartWarnings(io, startWarnings.warnings, undefined);
    io.stderr.write(`tradetrace paper: ${(error as Error).message}\n`);
    // Bad input (a market the config cannot trade, a damaged candle file, a timeframe other than the directory traded on) is the operator's to fix: exit 2.
    const badInput = (error as { code?: unknown }).code === 'invalid_market' || error instanceof TimeframeChangedError || isCandleFileError(error);
    return s.endSession('refused', badInput ? 2 : 1, undefined, sessionFailure(error));
  }
  const { coordinator } = session;
  const quoteBalance = session.store.balance(config.trading.quote_currency);
  for (const warning of startingBalanceNotRun(s.loaded, { created: session.store.created, quoteBalance })) emitStartWarning(recorder, warning);
  startWarnings.stop();
  observer.onPortfolioChanged?.();
  model.setLoopSource(() => loopsFromHeartbeat(coordinator.heartbeat()));
  model.attachBus(session.bus);

  const dashLoop = coordinator.registerLoop({ name: TerminalDashboard.LOOP_NAME, daemon: true, periodMs: 1000 });
  // Off means no live redraw; progress still comes as plain lines, so the bot is never silent for long.
  const plain = { write: (chunk: string) => (outputBroken ? true : io.stdout.write(chunk)), isTTY: false };
  const frame = config.dashboard.enable_live_dashboard && io.stdout.isTTY === true ? new PinnedRowsStream(io.stdout) : undefined;
  const stream = frame ?? plain;
  const dashboard = new TerminalDashboard({
    source: model, stream, maxFps: Math.min(60, 1000 / config.dashboard.refresh_ms), beat: () => dashLoop.beat(),
    onError: (error) => recorder.emit('ERROR', { error_code: 'dashboard_failed', message: String(error), component: TerminalDashboard.LOOP_NAME }),
  });
  // Before trading begins; under the live dashboard, pinned above its frame (its start clears the screen).
  const shown = printStartWarnings(io, startWarnings.warnings, dashboard.mode === 'tty' ? frame : undefined);
  // Stopped after the feed and the engine (components stop in descending order): its last frame then
  // shows the bar in flight at the stop and its fills, as the summary below it does.
  coordinator.registerComponent({
    name: 'dashboard', order: 12, start: () => dashboard.start(),
    stop: async () => {
      await session?.bus.idle();
      await dashboard.stop();
      // Too many to pin above the frame, they were erased by it: said again under its last one.
      if (shown === 'again_after_dashboard') io.stderr.write(startWarnings.warnings.map((w) => `${startWarningLine(w)}\n`).join(''));
    },
  });

  const alertsResult = paperAlerts({ config, recorder, logsDir: s.paths.logsDir, console: io.stderr, dataDir: s.paths.dataDir, dashboard: { model, frame: dashboard } });
  if (!alertsResult.ok) {
    io.stderr.write(`tradetrace paper: ${alertsResult.error.message}\n`);
    session.store.close();
    return s.endSession('refused', 2, undefined, { code: alertsResult.error.code, message: alertsResult.error.message });
  }
  const alerts = alertsResult.value;
  coordinator.registerComponent({ name: 'alerts', order: 5, start: () => alerts.start(), stop: () => alerts.stop() });
  if (config.alerts.metrics_port > 0) {
    try {
      // The bootstrap wrote CONFIG_HASH and CONFIG_DIFF, and the session's opening its reconciled fills,
      // before this server could subscribe: all are passed in.
      const configDrift = s.drift && { prevHash: s.drift.previous.configHash, currentHash: s.configHash, prevSession: s.drift.previous.sessionId };
      const metrics = await startMetricsServer({
        recorder, port: config.alerts.metrics_port, configHash: s.configHash, logsDir: s.paths.logsDir, ...(configDrift ? { configDrift } : {}),
        realizedPnlAtStart: session.sessionRealizedPnl(),
        heartbeat: { intervalMs: config.runtime.heartbeat_interval, missingMultiple: config.alerts.heartbeat_missing_multiple },
      });
      coordinator.registerComponent({ name: 'metrics', order: 4, stop: () => metrics.close() });
      io.stderr.write(`metrics: ${metrics.url}\n`);
    } catch (error) {
      io.stderr.write(`tradetrace paper: ${(error as Error).message}\n`);
      session.store.close();
      return s.endSession('refused', 1, undefined, sessionFailure(error));
    }
  }

  const result = await session.run(s.takeOverSignals());
  // The session ended as `result` says whatever befalls its report: a summary that cannot be made
  // neither loses SESSION_END nor changes the exit code the record gives.
  let summaryFailure: unknown;
  let summary: PaperSummary | undefined;
  try {
    summary = paperSummary(session, result, logFilesShown(listLogFiles(s.paths.logsDir), s.paths.logsDir));
  } catch (error) {
    summaryFailure = error;
  }
  const code = s.endSession(result.reason, result.exitCode, summary?.record, result.error);
  try {
    if (summary) io.stdout.write(runnableTraceCommands(formatPaperSummary(s.sessionId, summary, s.paths.dataDir), io.env));
  } catch (error) {
    summaryFailure = error;
  }
  if (summaryFailure !== undefined) {
    io.stderr.write(`tradetrace paper: session ${s.sessionId} ended (${result.reason}, exit ${code}), but its summary could not be made: ${errorMessage(summaryFailure)}; \`tradetrace sessions\` and \`tradetrace health\` read it from the record\n`);
  }
  if (result.error) io.stderr.write(`tradetrace paper: ${result.error.message}\n`);
  // A shutdown cut short (second signal, runtime.shutdown_timeout) exits now, whatever still stops;
  // the alert lines held behind the live frame are written first (the dashboard may not have stopped).
  if (coordinator.forcedExit) {
    dashboard.releaseHeldLines();
    leaveNow(io, code);
  }
  return code;
}
