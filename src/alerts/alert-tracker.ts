import { randomBytes } from 'node:crypto';
import type { AlertRule } from '../recorder/events/alert-events.js';
import type { AlertFired, AlertTransition, FireRequest, ResolveRequest } from './alert-transition.js';

export function newAlertId(): string {
  return `alt_${randomBytes(8).toString('hex')}`;
}

/**
 * The no-flood rule: at most one open alert per (rule, subject). A fire request for an open alert is
 * absorbed; a resolve request for a closed one is ignored. Transitions come out in request order.
 */
export class AlertTracker {
  private readonly open = new Map<string, AlertFired>();
  private pending: AlertTransition[] = [];

  constructor(private readonly idFactory: (rule: AlertRule, subject: string) => string = newAlertId) {}

  private static key(rule: AlertRule, subject: string): string {
    return `${rule}\u0000${subject}`;
  }

  fire(request: FireRequest): boolean {
    const key = AlertTracker.key(request.rule, request.subject);
    if (this.open.has(key)) return false;
    const fired: AlertFired = { kind: 'fired', alertId: this.idFactory(request.rule, request.subject), ...request };
    this.open.set(key, fired);
    this.pending.push(fired);
    return true;
  }

  resolve(request: ResolveRequest): boolean {
    const key = AlertTracker.key(request.rule, request.subject);
    const fired = this.open.get(key);
    if (!fired) return false;
    this.open.delete(key);
    this.pending.push({
      kind: 'resolved',
      alertId: fired.alertId,
      rule: request.rule,
      subject: request.subject,
      message: request.message,
      firedAt: fired.at,
      // A resolution can never precede its firing, even when a late line carries an older timestamp.
      at: Math.max(request.at, fired.at),
    });
    return true;
  }

  isOpen(rule: AlertRule, subject: string): boolean {
    return this.open.has(AlertTracker.key(rule, subject));
  }

  openAlerts(): AlertFired[] {
    return [...this.open.values()];
  }

  /** Transitions produced since the last call. */
  take(): AlertTransition[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
