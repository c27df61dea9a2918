import { writeSync } from 'node:fs';
import type { Recorder } from '../recorder/recorder.js';
import { CallSiteResolver } from './call-site.js';
import { RuntimeError } from './runtime-error.js';

/** What subscribers (the terminal dashboard now, the web dashboard later) receive. */
export interface DashboardEvent {
  /** e.g. BUY_FILLED */
  readonly type: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** file:line of the code that raised it, relative to the project root. */
  readonly source: string;
  /** HH:MM:SS, UTC: what the dashboard shows. */
  readonly timestamp: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export type DashboardSubscriber = (event: DashboardEvent) => void | Promise<void>;

export interface DashboardBusOptions {
  readonly recorder: Recorder;
  /** Where `source` paths are relative to; default the folder with this project's package.json. */
  readonly projectRoot?: string;
  /** Default true. False writes `source: "unknown"`; only for measuring what capture costs. */
  readonly captureSource?: boolean;
  /** Events a subscriber may fall behind by before its oldest are dropped (default 1000). */
  readonly maxQueue?: number;
  readonly now?: () => number;
}

const EVENT_TYPE = /^[A-Z][A-Z0-9_]{0,63}$/;

interface Subscription {
  readonly name: string;
  readonly deliver: DashboardSubscriber;
  readonly queue: DashboardEvent[];
  running: boolean;
  dropped: number;
}

/** HH:MM:SS (UTC), formatted once per second: a Date and an ISO string per emit cost more than the rest of it. */
class SecondClock {
  private second = Number.NaN;
  private text = '';

  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.text = new Date(ms).toISOString().slice(11, 19);
    }
    return this.text;
  }
}

/**
 * Dashboard notifications. `emit` writes DASH_EVENT synchronously (so the log line exists before
 * any subscriber runs, and a RecorderError reaches the caller) and queues delivery: each
 * subscriber gets events in order on its own asynchronous queue, so one that throws is logged as
 * ERROR and one that is slow only falls behind itself, never holding up the emitter or the others.
 */
export class DashboardBus {
  private readonly recorder: Recorder;
  private readonly sites: CallSiteResolver;
  /** The folder `source` paths are relative to. */
  readonly projectRoot: string;
  private readonly captureSource: boolean;
  private readonly maxQueue: number;
  private readonly now: () => number;
  private readonly subscriptions: Subscription[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly clock = new SecondClock();

  constructor(options: DashboardBusOptions) {
    this.recorder = options.recorder;
    this.sites = new CallSiteResolver(options.projectRoot);
    this.projectRoot = this.sites.projectRoot;
    this.captureSource = options.captureSource ?? true;
    this.maxQueue = options.maxQueue ?? 1000;
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 1) {
      throw new RuntimeError('invalid_option', `maxQueue must be a positive integer, got ${String(options.maxQueue)}`);
    }
    this.now = options.now ?? Date.now;
  }

  emit(type: string, message: string, data?: Readonly<Record<string, unknown>>): void {
    if (!EVENT_TYPE.test(type)) {
      throw new RuntimeError('invalid_dashboard_event_type', `dashboard event type must be UPPER_SNAKE_CASE (e.g. BUY_FILLED), got ${JSON.stringify(type)}`);
    }
    const source = this.captureSource ? this.sites.callerOf(1) : 'unknown';
    const at = this.now();
    const timestamp = this.clock.format(at);
    const fields = { dashboard_event_type: type, message, source, timestamp };
    this.recorder.emit('DASH_EVENT', data === undefined ? fields : { ...fields, data: { ...data } });
    if (this.subscriptions.length === 0) return;
    const event: DashboardEvent = data === undefined ? { type, message, source, timestamp, at } : { type, message, data, source, timestamp, at };
    for (const subscription of this.subscriptions) this.enqueue(subscription, event);
  }

  /** Subscribes under a name (used when its failures are logged). Returns the unsubscribe function. */
  subscribe(name: string, deliver: DashboardSubscriber): () => void {
    const subscription: Subscription = { name, deliver, queue: [], running: false, dropped: 0 };
    this.subscriptions.push(subscription);
    return () => {
      const index = this.subscriptions.indexOf(subscription);
      if (index >= 0) this.subscriptions.splice(index, 1);
      subscription.queue.length = 0;
    };
  }

  /** Resolves once every queued event has been delivered (or failed): for shutdown and tests. */
  idle(): Promise<void> {
    if (this.subscriptions.every((s) => !s.running && s.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(subscription: Subscription, event: DashboardEvent): void {
    if (subscription.queue.length >= this.maxQueue) {
      subscription.queue.shift();
      if (subscription.dropped++ === 0) {
        this.logError('dashboard_subscriber_overflow', subscription.name, `subscriber ${subscription.name} is ${this.maxQueue} events behind; dropping its oldest (the log keeps every DASH_EVENT)`);
      }
    }
    subscription.queue.push(event);
    if (!subscription.running) {
      subscription.running = true;
      setImmediate(() => void this.drain(subscription));
    }
  }

  private async drain(subscription: Subscription): Promise<void> {
    for (let event = subscription.queue.shift(); event; event = subscription.queue.shift()) {
      try {
        await subscription.deliver(event);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        this.logError('dashboard_subscriber_failed', subscription.name, `subscriber ${subscription.name} failed on ${event.type} from ${event.source}: ${detail}`, error);
      }
    }
    subscription.running = false;
    subscription.dropped = 0;
    if (this.subscriptions.every((s) => !s.running && s.queue.length === 0)) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private logError(code: string, subscriber: string, message: string, error?: unknown): void {
    const stack = error instanceof Error ? error.stack : undefined;
    const fields = { error_code: code, message, component: `dashboard:${subscriber}` };
    try {
      this.recorder.emit('ERROR', stack === undefined ? fields : { ...fields, stack });
    } catch (recordError) {
      // Outside any caller's stack: nobody could catch a rethrow, so say it where an operator looks.
      writeSync(2, `tradetrace: ${message} (not logged: ${String(recordError)})\n`);
    }
  }
}
