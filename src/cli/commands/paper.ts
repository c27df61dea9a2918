import { PaperSession } from '../../engine/paper-session.js';
import type { FeedChoice } from '../../engine/paper-setup.js';
import { emitStartWarning, watchStartWarnings } from '../../engine/startup-warnings.js';
import { TimeframeChangedError } from '../../engine/timeframe-changed-error.js';
import { isCandleFileError, type ReplaySpeed } from '../../market-data/index.js';
import { sessionFailure } from '../../recorder/sessions/session-failure.js';
import { DashboardModel, loopsFromHeartbeat } from '../../ui/dashboard-model.js';
import type { CliIo } from '../command.js';
import { dashboardObserver } from '../paper/dashboard-observer.js';
import { paperDashboard } from '../paper/paper-dashboard.js';
import { endPaperSession } from '../paper/paper-ending.js';
import { parsePaperFlags } from '../paper/paper-flags.js';
import { startPaperMonitoring } from '../paper/paper-monitoring.js';
import { settingsNotRun, startingBalanceNotRun } from '../paper/settings-not-run.js';
import { printStartWarnings } from '../paper/start-warning-lines.js';
import { watchStdout } from '../paper/stdout-watch.js';
import { startSession } from '../session-bootstrap.js';

/** How long the synthetic feed trades when no --duration is given. */
const SYNTHETIC_DEFAULT_DURATION_MS = 5 * 60_000;

/** `tradetrace paper`: opens a paper session, trades it with its dashboard and alerts, and reports its end. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = await parsePaperFlags(args, io);
  if (parsed.kind === 'exit') return parsed.code;
  const { flags, durationMs } = parsed.value;
  const started = await startSession({ mode: 'paper', argv: ['paper', ...args], io, flags });
  if (!started.ok) return started.exitCode;
  const s = started.value;
  const { config, recorder } = s;
  const data = config.market_data;
  const feed: FeedChoice =
    // An empty candles_file with source candles_file is refused before the session opens (configuredReplayProblem).
    data.source === 'candles_file'
      ? { kind: 'replay', files: data.candles_file.split(','), symbols: config.trading.symbols }
      : { kind: 'synthetic', symbols: config.trading.symbols };
  const runSpeed: ReplaySpeed = data.speed === 0 ? 'max' : data.speed;
  const duration = durationMs ?? (feed.kind === 'synthetic' ? SYNTHETIC_DEFAULT_DURATION_MS : undefined);

  const stdoutBroken = watchStdout(io, recorder);
  const model = new DashboardModel();
  model.setSession(s.sessionId, 'paper', config.trading.quote_currency);
  let session: PaperSession | undefined;
  const observer = dashboardObserver(model, () => session);
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
  // A position held from an earlier session with no bar yet in this one: at its last known close, as
  // the summary counts it, not left out of the status line's unrealized (+0.00).
  const { portfolio } = session;
  model.setPriceSource((symbol) => portfolio.knownPrice(symbol));
  model.attachBus(session.bus);

  const dashboard = paperDashboard({ io, config, recorder, session, model, startWarnings: startWarnings.warnings, stdoutBroken });
  const refused = await startPaperMonitoring({ io, started: s, session, model, dashboard });
  if (refused) {
    session.store.close();
    return s.endSession('refused', refused.exitCode, undefined, refused.failure);
  }

  const result = await session.run(s.takeOverSignals());
  return endPaperSession(io, s, session, result, dashboard);
}
