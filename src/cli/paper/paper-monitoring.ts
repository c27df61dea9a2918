import { startMetricsServer } from '../../alerts/metrics/metrics-server.js';
import type { PaperSession } from '../../engine/paper-session.js';
import type { SessionFailure } from '../../recorder/sessions/session-failure.js';
import { sessionFailure } from '../../recorder/sessions/session-failure.js';
import type { DashboardModel } from '../../ui/dashboard-model.js';
import type { TerminalDashboard } from '../../ui/terminal-dashboard.js';
import type { CliIo } from '../command.js';
import type { StartedSession } from '../session-bootstrap.js';
import { paperAlerts } from './paper-alerts.js';

export interface PaperMonitoringInit {
  readonly io: CliIo;
  readonly started: StartedSession;
  readonly session: PaperSession;
  readonly model: DashboardModel;
  readonly dashboard: TerminalDashboard;
}

/** Why the session cannot go on without its monitoring, and the exit code that says so. */
export interface MonitoringRefusal {
  readonly exitCode: number;
  readonly failure: SessionFailure;
}

/**
 * The in-bot alert rules and, when `alerts.metrics_port` is set, the Prometheus metrics server,
 * registered with the session's coordinator. A bot whose alerts or metrics were asked for and
 * cannot run does not trade unwatched: the refusal is said on stderr and returned.
 */
export async function startPaperMonitoring(init: PaperMonitoringInit): Promise<MonitoringRefusal | undefined> {
  const { io, started: s, session } = init;
  const { config, recorder } = s;
  const { coordinator } = session;
  const alertsResult = paperAlerts({
    config, recorder, logsDir: s.paths.logsDir, console: io.stderr, dataDir: s.paths.dataDir, dashboard: { model: init.model, frame: init.dashboard, bus: session.bus },
    changedPaths: s.drift?.changes.map((change) => change.path) ?? [],
  });
  if (!alertsResult.ok) {
    io.stderr.write(`tradetrace paper: ${alertsResult.error.message}\n`);
    return { exitCode: 2, failure: { code: alertsResult.error.code, message: alertsResult.error.message } };
  }
  const alerts = alertsResult.value;
  coordinator.registerComponent({ name: 'alerts', order: 5, start: () => alerts.start(), stop: () => alerts.stop() });
  if (config.alerts.metrics_port <= 0) return undefined;
  try {
    // The bootstrap wrote CONFIG_HASH and CONFIG_DIFF, and the session's opening its reconciled fills,
    // before this server could subscribe: all are passed in.
    const configDrift = s.drift && { prevHash: s.drift.previous.configHash, currentHash: s.configHash, prevSession: s.drift.previous.sessionId };
    const metrics = await startMetricsServer({
      recorder, port: config.alerts.metrics_port, configHash: s.configHash, logsDir: s.paths.logsDir, ...(configDrift ? { configDrift } : {}),
      realizedPnlAtStart: session.reconcile.realizedPnl, quoteCurrency: config.trading.quote_currency,
      heartbeat: { intervalMs: config.runtime.heartbeat_interval, missingMultiple: config.alerts.heartbeat_missing_multiple },
    });
    coordinator.registerComponent({ name: 'metrics', order: 4, stop: () => metrics.close() });
    io.stderr.write(`metrics: ${metrics.url}\n`);
    return undefined;
  } catch (error) {
    io.stderr.write(`tradetrace paper: ${(error as Error).message}\n`);
    return { exitCode: 1, failure: sessionFailure(error) };
  }
}
