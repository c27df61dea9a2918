import type { AlertTransition } from '../alerts/alert-transition.js';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import type { DashboardBus } from '../runtime/dashboard-bus.js';
import type { DashboardModel } from './dashboard-model.js';

/**
 * Hands the in-bot alert engine's transitions to the dashboard, next to the console and webhook
 * notifiers: the ALERTS panel shows what the console line says, from the same transition, never
 * from the printed text. Like every dashboard notification it is also a DASH_EVENT (ALERT_FIRED or
 * ALERT_RESOLVED, with this file's line as its source), so `tradetrace dash` lists what the panel
 * showed. Returns at once and never throws, as a notifier must.
 */
export class DashboardAlertNotifier implements Notifier {
  constructor(
    private readonly model: Pick<DashboardModel, 'recordAlert'>,
    private readonly bus: Pick<DashboardBus, 'emit'>,
  ) {}

  notify(transition: AlertTransition): void {
    this.model.recordAlert(transition);
    const { alertId, rule, subject } = transition;
    try {
      if (transition.kind === 'fired') {
        this.bus.emit('ALERT_FIRED', `${transition.severity.toUpperCase()} ${rule} [${subject}]: ${transition.message}`, { alert_id: alertId, rule, subject, severity: transition.severity });
      } else {
        this.bus.emit('ALERT_RESOLVED', `resolved ${rule} [${subject}]: ${transition.message}`, { alert_id: alertId, rule, subject });
      }
    } catch {
      // The alert's own ALERT_FIRED / ALERT_RESOLVED line is in alerts.jsonl already; a recorder that
      // cannot write this one fails the bot's next emit, where it belongs.
    }
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }
}
