import { join } from 'node:path';
import { ConsoleNotifier } from '../../alerts/notifiers/console-notifier.js';
import { InBotAlerts } from '../../alerts/in-bot-alerts.js';
import { logWebhookError } from '../../alerts/notifiers/log-webhook-error.js';
import type { Notifier } from '../../alerts/notifiers/notifier.js';
import { WebhookNotifier } from '../../alerts/notifiers/webhook-notifier.js';
import type { Config } from '../../config/schema.js';
import { ALERT_RULES } from '../../recorder/events/alert-events.js';
import type { Recorder } from '../../recorder/recorder.js';
import type { DashboardBus } from '../../runtime/dashboard-bus.js';
import { DashboardAlertNotifier } from '../../ui/dashboard-alert-notifier.js';
import type { DashboardModel } from '../../ui/dashboard-model.js';
import type { TerminalDashboard } from '../../ui/terminal-dashboard.js';

export interface PaperAlertsInit {
  readonly config: Config;
  readonly recorder: Recorder;
  readonly logsDir: string;
  /** Where the console notifier prints: stderr, so alerts never mix into the dashboard's redraws. */
  readonly console: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /**
   * The session's dashboard. Its model's ALERTS panel gets every transition the console line is
   * printed from; and while its live frame is drawn on the terminal `console` is, the console lines
   * are held and printed under its last frame (a frame clears the screen below it: a line printed
   * there was erased within a frame, unseen).
   */
  readonly dashboard?: { readonly model: Pick<DashboardModel, 'recordAlert'>; readonly frame: Pick<TerminalDashboard, 'consoleBehindFrame'>; readonly bus: Pick<DashboardBus, 'emit'> };
  /** Named in the printed `next:` commands, so they read this session's logs wherever they are pasted. */
  readonly dataDir: string;
  /** The paths this session's CONFIG_DIFF changed (none without a previous session or a change). */
  readonly changedPaths?: readonly string[];
}

/**
 * Whether the bot runs its config_drift rule: as alerts.config_drift says, except in the session
 * whose own config change turned it off. Judged by the new value alone, the switch silenced the
 * alert on its own flip and on every other change made with it; the previous session's setting
 * still covers this one's drift.
 */
export function runsConfigDriftRule(config: Config, changedPaths: readonly string[]): boolean {
  return config.alerts.config_drift || changedPaths.includes('alerts.config_drift');
}

/**
 * How long the alerts component's stop waits for the webhook: half the component stop timeout, at
 * most 3 s, leaving the rest for the abort and the ERROR line.
 */
export function alertsStopDrainMs(componentStopTimeoutMs: number): number {
  return Math.min(3_000, Math.floor(componentStopTimeoutMs / 2));
}

/** Said under the last frame when more alert lines were held than are kept. */
export function heldAlertsOverflow(count: number, logsDir: string): string {
  return `... ${count} earlier alert line${count === 1 ? '' : 's'} not repeated here (all are in ${join(logsDir, 'alerts.jsonl')})`;
}

export type PaperAlertsResult = { ok: true; value: InBotAlerts } | { ok: false; error: { code: 'bad_webhook_url'; message: string } };

/**
 * The in-bot alert engine of a paper session, with the session's config mapped onto its rules, the
 * console notifier always, the dashboard's when its model is given, and the webhook notifier when `alerts.webhook_url` is set. `stop()` of
 * the returned engine drains the webhook queue for at most `alertsStopDrainMs` (under the component
 * stop timeout, so a hanging webhook never makes the alerts component time out and the bot exit 1);
 * what is still pending then is one ERROR line (`webhook_undelivered`).
 */
export function paperAlerts(init: PaperAlertsInit): PaperAlertsResult {
  const { config, recorder } = init;
  const { dashboard } = init;
  const consoleOut = dashboard ? dashboard.frame.consoleBehindFrame(init.console, (count) => heldAlertsOverflow(count, init.logsDir)) : init.console;
  const notifiers: Notifier[] = [new ConsoleNotifier(consoleOut, init.dataDir)];
  if (dashboard) notifiers.push(new DashboardAlertNotifier(dashboard.model, dashboard.bus));
  const url = config.alerts.webhook_url;
  if (url !== undefined) {
    try {
      notifiers.push(new WebhookNotifier({ url, source: recorder.sessionId, onError: logWebhookError(recorder) }));
    } catch (error) {
      // The config schema already checks the URL; this only guards a mismatch between the two checks.
      return { ok: false, error: { code: 'bad_webhook_url', message: `alerts.webhook_url: ${error instanceof Error ? error.message : String(error)}` } };
    }
  }
  const alerts = new InBotAlerts({
    recorder, logsDir: init.logsDir, notifiers, stopDrainMs: alertsStopDrainMs(config.runtime.component_stop_timeout),
    options: {
      rules: ALERT_RULES.filter((rule) => rule !== 'config_drift' || runsConfigDriftRule(config, init.changedPaths ?? [])),
      heartbeat: { intervalS: config.runtime.heartbeat_interval / 1000, missingFactor: config.alerts.heartbeat_missing_multiple },
      // A threshold of 1 could never be exceeded; the engine wants a rate strictly below it.
      orderFailure: { threshold: Math.min(0.99, config.alerts.order_failure_rate), windowS: config.alerts.order_failure_window / 1000, minIntents: config.alerts.order_failure_min_count },
    },
  });
  return { ok: true, value: alerts };
}
