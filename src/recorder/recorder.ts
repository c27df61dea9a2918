import type { Channel, Level } from './channels.js';
import { CATALOG, isEventType, type EventInput, type EventType } from './events/catalog.js';
import type { LineSink } from './line-sink.js';
import { RecorderError } from './recorder-error.js';
import { SeqCounter } from './seq-counter.js';
import { flat } from './flat-string.js';
import { IdFieldJson } from './id-field-json.js';
import { jsonString, serializerFor, type FieldSerializer } from './serializer.js';
import { currentTrace } from './trace-context.js';

/** Lines that must be on disk before the caller goes on, even in buffered mode. */
function isBarrier(type: EventType, channel: Channel): boolean {
  return channel === 'audit' || type === 'ORDER_CONTEXT' || type === 'FATAL' || type.startsWith('SHUTDOWN_');
}

export interface RecorderOptions {
  readonly sessionId: string;
  readonly sink: LineSink;
  /** Shared with the watchdog thread so both write one sequence. */
  readonly seq?: SeqCounter;
  /** Milliseconds since the epoch; injectable for deterministic tests. */
  readonly now?: () => number;
}

export interface EmitOptions {
  readonly level?: Level;
}

/** Called with every line after it is written: how in-process observers (metrics, alerts) see events. */
export type LineListener = (type: EventType, fields: Readonly<Record<string, unknown>>, line: string) => void;

interface EventPlan {
  readonly channel: Channel;
  readonly barrier: boolean;
  readonly requiresDecision: boolean;
  readonly requiresIntent: boolean;
  /** `","level":"info","event_type":"X","session_id":"s","seq":` minus the level, which may vary. */
  readonly typeAndSession: string;
  /** `","level":"<default>","event_type":...,"seq":`, the header between ts and seq for the usual case. */
  readonly defaultHead: string;
  readonly serialize: FieldSerializer;
}

const MAX_LISTENER_REPORTS = 10;

/**
 * The flight recorder: typed emit of catalog events as compact JSON lines, with the trace context's
 * decision and intent ids. `emit` is synchronous and throws a RecorderError when the line cannot be
 * written: callers that act on the world (the order router) must not act after such an error.
 */
export class Recorder {
  readonly sessionId: string;
  readonly seq: SeqCounter;
  private readonly sink: LineSink;
  private readonly now: () => number;
  /** True when `now` is Date.now: the sink may then reuse the line's clock reading as its own. */
  private readonly wallClock: boolean;
  private readonly plans = new Map<EventType, EventPlan>();
  private readonly listeners: LineListener[] = [];
  /** How many times an onLine listener threw (each reported as a process warning, up to a limit). */
  listenerErrors = 0;
  private lastMs = Number.NaN;
  private lastStart = '';

  constructor(options: RecorderOptions) {
    this.sessionId = options.sessionId;
    this.sink = options.sink;
    this.seq = options.seq ?? new SeqCounter();
    this.now = options.now ?? Date.now;
    this.wallClock = options.now === undefined;
  }

  private plan(type: EventType): EventPlan {
    let plan = this.plans.get(type);
    if (!plan) {
      if (!isEventType(type)) {
        throw new RecorderError('unknown_event_type', `unknown event_type ${JSON.stringify(type)}: not in the event catalog`, { eventType: String(type) });
      }
      const definition = CATALOG[type];
      plan = {
        channel: definition.channel,
        barrier: isBarrier(type, definition.channel),
        requiresDecision: definition.requires === 'decision' || definition.requires === 'decision_and_intent',
        requiresIntent: definition.requires === 'intent' || definition.requires === 'decision_and_intent',
        typeAndSession: flat(`","event_type":"${type}","session_id":${jsonString(this.sessionId)},"seq":`),
        defaultHead: flat(`","level":"${definition.level}","event_type":"${type}","session_id":${jsonString(this.sessionId)},"seq":`),
        serialize: serializerFor(type),
      };
      this.plans.set(type, plan);
    }
    return plan;
  }

  /** `{"ts":"YYYY-MM-DDTHH:MM:SS.` of the second `isoSecond` (ms since the epoch, floored to the second). */
  private isoSecondPrefix = '';
  private isoSecond = Number.NaN;

  /** `{"ts":"<now, ISO 8601>`: how every line starts, one flat piece per millisecond. */
  private lineStart(): string {
    // Date truncates a fractional reading toward zero (an injected clock may give one): so do we, first.
    const ms = Math.trunc(this.now());
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      // Lines come many per second: only the milliseconds change, so the rest is formatted once a second.
      const millis = ms - this.isoSecond;
      if (millis >= 0 && millis < 1000) {
        this.lastStart = flat(`${this.isoSecondPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`);
      } else {
        const iso = new Date(ms).toISOString();
        // Only the usual 24-character form (years 0000-9999) has its milliseconds at a fixed place.
        this.isoSecond = iso.length === 24 ? ms - (((ms % 1000) + 1000) % 1000) : Number.NaN;
        this.isoSecondPrefix = `{"ts":"${iso.slice(0, 20)}`;
        this.lastStart = flat(`{"ts":"${iso}`);
      }
    }
    return this.lastStart;
  }

  // The serialized trace ids of the last line: consecutive lines of one decision reuse them.
  private readonly decisionJson = new IdFieldJson('decision_id');
  private readonly intentJson = new IdFieldJson('intent_id');

  /** Writes one event. Throws RecorderError if it cannot be recorded. */
  emit<T extends EventType>(type: T, fields: EventInput<T>, options?: EmitOptions): void {
    const plan = this.plans.get(type) ?? this.plan(type);
    const values = fields as Readonly<Record<string, unknown>>;
    const trace = currentTrace();
    const decisionId = (values['decision_id'] as string | undefined) ?? trace?.decisionId;
    const intentId = (values['intent_id'] as string | undefined) ?? trace?.intentId;
    if ((plan.requiresDecision && !decisionId) || (plan.requiresIntent && !intentId)) {
      throw new RecorderError(
        'missing_trace_id',
        `${type} needs ${plan.requiresDecision && !decisionId ? 'a decision_id' : 'an intent_id'}: emit it inside withDecision()/withIntent() or pass the id`,
        { eventType: type, channel: plan.channel },
      );
    }
    const head = options?.level === undefined ? plan.defaultHead : `","level":"${options.level}${plan.typeAndSession}`;
    const line =
      `${this.lineStart()}${head}${this.seq.next()}` +
      (decisionId ? this.decisionJson.of(decisionId) : '') +
      (intentId ? this.intentJson.of(intentId) : '') +
      `${plan.serialize(values)}}\n`;
    this.sink.write(plan.channel, line, plan.barrier, this.wallClock ? this.lastMs : undefined);
    if (this.listeners.length > 0) this.notify(type, values, line);
  }

  // The line is already on disk: a failing observer is reported, never allowed to undo that.
  private notify(type: EventType, values: Readonly<Record<string, unknown>>, line: string): void {
    for (const listener of this.listeners) {
      try {
        listener(type, values, line);
      } catch (error) {
        this.listenerErrors++;
        if (this.listenerErrors <= MAX_LISTENER_REPORTS) {
          const message = error instanceof Error ? error.message : String(error);
          process.emitWarning(`tradetrace: an onLine listener threw on ${type}: ${message}`, { code: 'TRADETRACE_LISTENER' });
        }
      }
    }
  }

  /** Observes every line written from now on. Returns the unsubscribe function. */
  onLine(listener: LineListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  flush(): void {
    this.sink.flush();
  }

  close(): void {
    this.sink.close();
  }
}
