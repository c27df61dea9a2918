import { setTimeout as delay } from 'node:timers/promises';
import { webhookUrlProblem } from '../../domain/webhook-url.js';
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

/**
 * A backoff pause that ends early when `signal` aborts (the bounded drain giving up). Unref'd: a
 * pending retry alone must not keep a finished process alive; drain(boundMs) does that.
 */
const sleep = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal, ref: false }).catch(() => undefined);

/**
 * The URL as it may be shown in logs and on stderr: `scheme://host[:port]`, plus `/…` when it has a
 * path or query. Nothing of its userinfo, path or query is ever shown: a webhook's token may sit in
 * any of them, in any length, and a partial mask (or a normalized copy the recorder's scrub of the
 * registered raw value does not recognise) leaked it. The host stays, so an operator knows which hook.
 */
export function maskWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  // `host` of a non-special scheme (ftp:, mailto:) can be empty; its opaque rest is not shown either.
  if (parsed.host === '') return `${parsed.protocol}//…`;
  const more = (parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '';
  return `${parsed.protocol}//${parsed.host}${more ? '/…' : ''}`;
}

/**
 * Text that looks like a URL (scheme://...): up to whitespace, a quote or an angle bracket. Brackets
 * and punctuation are taken in (a token may hold them) and only given back when they end the match.
 */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * An error message about a request, safe to log: `url` (as given and as the URL parser normalizes
 * it) and any other URL-looking text replaced by its masked form. fetch's errors quote the request
 * URL (e.g. "Request cannot be constructed from a URL that includes credentials: http://user:pw@...").
 */
export function scrubUrls(text: string, url: string): string {
  const shown = maskWebhookUrl(url);
  let out = text;
  const forms = [url];
  if (URL.canParse(url)) forms.push(new URL(url).href);
  for (const form of forms) if (form !== '') out = out.split(form).join(shown);
  return maskUrlsInText(out);
}

/** Every URL-looking text in `text` in its masked form (already masked ones stay as they are). */
export function maskUrlsInText(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => {
    const tail = TRAILING.exec(found)?.[0] ?? '';
    return `${maskWebhookUrl(found.slice(0, found.length - tail.length))}${tail}`;
  });
}

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
  /** The URL with its secrets masked: the only form that goes into reports. */
  private readonly shownUrl: string;
  /** The transition being delivered (retries included), or null. */
  private current: AlertTransition | null = null;
  /** Aborted when a bounded drain gives up: cuts the request in flight and the backoff short. */
  private abort = new AbortController();

  constructor(private readonly options: WebhookNotifierOptions) {
    // The check the config schema makes of alerts.webhook_url, so a URL passes both or neither.
    switch (webhookUrlProblem(options.url)) {
      case 'not_a_url':
        // Not echoed: a malformed URL may still carry the token.
        throw new TypeError('webhook url is not a URL; expected http(s)://host[:port]/path');
      case 'not_http':
        throw new TypeError(`webhook url ${maskWebhookUrl(options.url)} must be http or https`);
      case 'has_credentials':
        // fetch refuses such a URL on every attempt (and quotes it, password included, in its error).
        throw new TypeError(`webhook url ${maskWebhookUrl(options.url)} must not carry user:password@ (fetch cannot send it); put the token in the path or query`);
      case undefined:
        break;
    }
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxQueue = options.maxQueue ?? 100;
    this.sendResolved = options.sendResolved ?? true;
    this.shownUrl = maskWebhookUrl(options.url);
  }

  notify(transition: AlertTransition): void {
    if (transition.kind === 'resolved' && !this.sendResolved) return;
    if (this.queue.length >= this.maxQueue) {
      this.report(new WebhookError('queue_full', `webhook queue full (${this.maxQueue}); dropped ${transition.kind} ${transition.rule} ${transition.alertId}`, true, { url: this.shownUrl, alertId: transition.alertId, attempts: 0 }));
      return;
    }
    this.queue.push(transition);
    this.sending ??= this.sendAll().finally(() => {
      this.sending = null;
    });
  }

  /**
   * Without `boundMs`: waits until everything queued was delivered or given up on (each bounded by the
   * timeout and retries). With it (shutdown): waits at most `boundMs`, on a ref'd timer so the process
   * stays alive for it (the request timeout and backoff timers are unref'd), then abandons what is
   * still queued or in flight and reports it as one `undelivered` error: "N alerts not delivered to <url>".
   */
  async drain(boundMs?: number): Promise<void> {
    if (boundMs === undefined) {
      while (this.sending) await this.sending;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), Math.max(0, boundMs));
    });
    try {
      while (this.sending) {
        if ((await Promise.race([this.sending.then(() => 'sent' as const), expired])) === 'expired') break;
      }
    } finally {
      clearTimeout(timer);
    }
    const sending = this.sending;
    if (!sending) return;
    const abandoned = [...(this.current ? [this.current] : []), ...this.queue];
    this.queue.length = 0;
    this.abort.abort();
    // The aborted request and backoff end at once; the sender then finds the queue empty.
    await sending;
    this.abort = new AbortController();
    if (abandoned.length === 0) return;
    const n = abandoned.length;
    this.report(new WebhookError(
      'undelivered',
      `${n} alert${n === 1 ? '' : 's'} not delivered to ${this.shownUrl}: still pending when the notifier stopped (gave up after ${boundMs} ms): ${abandoned.map((t) => `${t.kind} ${t.rule} ${t.alertId}`).join(', ')}`,
      true,
      { url: this.shownUrl, alertId: abandoned.map((t) => t.alertId).join(','), attempts: 0 },
    ));
  }

  private async sendAll(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.current = next;
      const signal = this.abort.signal;
      try {
        const error = await this.deliver(next, signal);
        // Abandoned by a bounded drain: counted in its one `undelivered` report instead.
        if (error && !signal.aborted) this.report(error);
      } finally {
        this.current = null;
      }
    }
  }

  private async deliver(transition: AlertTransition, abandon: AbortSignal): Promise<WebhookError | null> {
    const body = JSON.stringify(transitionJson(transition, this.options.source));
    const details = (attempts: number, status?: number) => ({ url: this.shownUrl, alertId: transition.alertId, attempts, ...(status !== undefined ? { status } : {}) });
    let last: WebhookError | null = null;
    for (let attempt = 1; attempt <= this.retries + 1; attempt++) {
      if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2), abandon);
      if (abandon.aborted) return last;
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), abandon]),
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
          : new WebhookError('network', `webhook unreachable: ${scrubUrls(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error), this.options.url)}`, true, details(attempt));
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
