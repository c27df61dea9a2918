import type { AlertTransition } from '../alert-transition.js';

/**
 * Where a transition goes besides the log. `notify` must return at once and never throw: it runs on
 * the bot's hot path (inside a recorder listener).
 */
export interface Notifier {
  notify(transition: AlertTransition): void;
  /**
   * Resolves once everything queued so far was delivered or given up on. With `boundMs` (shutdown),
   * resolves within about that long, keeping the process alive meanwhile, and reports what it gave up on.
   */
  drain(boundMs?: number): Promise<void>;
}
