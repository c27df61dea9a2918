import { transitionJson } from '../alert-record.js';
import type { AlertTransition } from '../alert-transition.js';
import type { Notifier } from './notifier.js';
import { WebhookError } from './webhook-error.js';

export interface WebhookNotifierOptions {
  readonly url: string;
  /** Put in every payload's `source`: the session or watcher that raised the alert. */
  readonly source: string;
  /** Called (never thrown) when a delivery is given up on or dropped: log it as an ERROR line. */
  readonly onError: (error: WebhookError) => void;
  readonly timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts, 429 and 5xx. */
  readonly retries?: number;
  /** First backoff; doubles on each retry. */
  readonly backoffMs?: number;
  /** Transitions waiting beyond this are dropped (and reported), so a dead endpoint never grows memory. */
  readonly maxQueue?: number;
  /** Post resolutions too (default true); firings are always posted. */
  readonly sendResolved?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * POSTs each transition as JSON. Fire-and-forget: `notify` only enqueues; one sender works through
 * the bounded queue in order, with a timeout per request and exponential backoff between retries.
 * Payloads carry `alert_id`, so a receiver can drop the duplicate a retry after a lost response makes.
 */
export class WebhookNotifier implements Notifier {
  private readonly queue: AlertTransition[] = [];
  private sending: Promise<void> | null = null;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxQueue: number;
  private readonly sendResolved: boolean;

  constructor(private readonly options: WebhookNotifierOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new TypeError(`webhook url ${JSON.stringify(options.url)} is not a URL; expected http(s)://host[:port]/path`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`webhook url ${JSON.stringify(options.url)} must be http or https`);
    }
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxQueue = options.maxQueue ?? 100;
    this.sendResolved = options.sendResolved ?? true;
  }

  notify(transition: AlertTransition): void {
    if (transition.kind === 'resolved' && !this.sendResolved) return;
    if (this.queue.length >= this.maxQueue) {
      this.report(new WebhookError('queue_full', `webhook queue full (${this.maxQueue}); dropped ${transition.kind} ${transition.rule} ${transition.alertId}`, true, { url: this.options.url, alertId: transition.alertId, attempts: 0 }));
      return;
    }
    this.queue.push(transition);
    this.sending ??= this.sendAll().finally(() => {
      this.sending = null;
    });
  }

  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async sendAll(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const error = await this.deliver(next);
      if (error) this.report(error);
    }
  }

  private async deliver(transition: AlertTransition): Promise<WebhookError | null> {
    const body = JSON.stringify(transitionJson(transition, this.options.source));
    const details = (attempts: number, status?: number) => ({ url: this.options.url, alertId: transition.alertId, attempts, ...(status !== undefined ? { status } : {}) });
    let last: WebhookError | null = null;
    for (let attempt = 1; attempt <= this.retries + 1; attempt++) {
      if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return null;
        const transient = response.status === 429 || response.status >= 500;
        last = new WebhookError('http_status', `webhook answered HTTP ${response.status} for ${transition.alertId}`, transient, details(attempt, response.status));
        if (!transient) return last;
      } catch (error) {
        const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
        last = timedOut
          ? new WebhookError('timeout', `webhook did not answer within ${this.timeoutMs} ms`, true, details(attempt), { cause: error })
          : new WebhookError('network', `webhook unreachable: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`, true, details(attempt), { cause: error });
      }
    }
    return last;
  }

  private report(error: WebhookError): void {
    try {
      this.options.onError(error);
    } catch {
      // The error reporter failing (recorder closed) must not break the sender; nothing more can be done.
    }
  }
}
