import { createHash } from 'node:crypto';
import type { AlertRule } from '../recorder/events/alert-events.js';
import type { AlertFired, AlertTransition, FireRequest, ResolveRequest } from './alert-transition.js';

/**
 * The id of an incident, `alt_` + 16 hex: a hash of what identifies it, never a random draw, so
 * `tradetrace alerts`, `alerts --follow` and the bot's own alerts give the same id to the same
 * incident when they read the same lines, and an id copied from one is found in the others. What
 * identifies it: the rule, its subject (session, `session/loop`, `orders`, `config`) and the
 * request's `origin` (the line that fired it, `<session_id>#<seq>`, or what a deadline counts
 * from), else the time it fired. Two incidents of one rule and subject are never open at once, and
 * a later one starts from a later line.
 */
export function newAlertId(request: Pick<FireRequest, 'rule' | 'subject' | 'origin' | 'at'>): string {
  const origin = request.origin ?? `at ${new Date(request.at).toISOString()}`;
  const digest = createHash('sha256').update(`${request.rule}\u0000${request.subject}\u0000${origin}`).digest('hex');
  return `alt_${digest.slice(0, 16)}`;
}

/**
 * The no-flood rule: at most one open alert per (rule, subject). A fire request for an open alert is
 * absorbed; a resolve request for a closed one is ignored. Transitions come out in request order.
 */
export class AlertTracker {
  private readonly open = new Map<string, AlertFired>();
  private pending: AlertTransition[] = [];

  constructor(private readonly idFactory: (request: FireRequest) => string = newAlertId) {}

  private static key(rule: AlertRule, subject: string): string {
    return `${rule}\u0000${subject}`;
  }

  fire(request: FireRequest): boolean {
    const key = AlertTracker.key(request.rule, request.subject);
    if (this.open.has(key)) return false;
    const fired: AlertFired = { kind: 'fired', alertId: this.idFactory(request), ...request };
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

  /** The id a firing of this request gets (or got): a rule can name an incident it does not fire itself. */
  idOf(request: FireRequest): string {
    return this.idFactory(request);
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
