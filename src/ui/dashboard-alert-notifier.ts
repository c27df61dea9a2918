import type { AlertTransition } from '../alerts/alert-transition.js';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import type { DashboardModel } from './dashboard-model.js';

/**
 * Hands the in-bot alert engine's transitions to the dashboard model, next to the console and
 * webhook notifiers: the ALERTS panel shows what the console line says, from the same transition,
 * never from the printed text. A field store and a counter bump, so it returns at once and cannot
 * throw, as a notifier must.
 */
export class DashboardAlertNotifier implements Notifier {
  constructor(private readonly model: Pick<DashboardModel, 'recordAlert'>) {}

  notify(transition: AlertTransition): void {
    this.model.recordAlert(transition);
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }
}
