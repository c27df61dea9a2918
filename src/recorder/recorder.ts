import type { Channel, Level } from './channels.js';
import { CATALOG, type EventInput, type EventType } from './events/catalog.js';
import type { LineSink } from './line-sink.js';
import { RecorderError } from './recorder-error.js';
import { sanitizeId } from './redaction.js';
import { SeqCounter } from './seq-counter.js';
import { jsonString, serializerFor } from './serializer.js';
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
  readonly defaultLevel: Level;
}

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
  private readonly plans = new Map<EventType, EventPlan>();
  private readonly listeners: LineListener[] = [];
  private lastMs = -1;
  private lastIso = '';

  constructor(options: RecorderOptions) {
    this.sessionId = options.sessionId;
    this.sink = options.sink;
    this.seq = options.seq ?? new SeqCounter();
    this.now = options.now ?? Date.now;
  }

  private plan(type: EventType): EventPlan {
    let plan = this.plans.get(type);
    if (!plan) {
      const definition = CATALOG[type];
      plan = {
        channel: definition.channel,
        barrier: isBarrier(type, definition.channel),
        requiresDecision: definition.requires === 'decision' || definition.requires === 'decision_and_intent',
        requiresIntent: definition.requires === 'intent' || definition.requires === 'decision_and_intent',
        typeAndSession: `","event_type":"${type}","session_id":${jsonString(this.sessionId)},"seq":`,
        defaultLevel: definition.level,
      };
      this.plans.set(type, plan);
    }
    return plan;
  }

  private isoNow(): string {
    const ms = this.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /** Writes one event. Throws RecorderError if it cannot be recorded. */
  emit<T extends EventType>(type: T, fields: EventInput<T>, options?: EmitOptions): void {
    const plan = this.plan(type);
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
    let line = `{"ts":"${this.isoNow()}","level":"${options?.level ?? plan.defaultLevel}${plan.typeAndSession}${this.seq.next()}`;
    if (decisionId) line += `,"decision_id":${jsonString(sanitizeId(decisionId))}`;
    if (intentId) line += `,"intent_id":${jsonString(sanitizeId(intentId))}`;
    line += `${serializerFor(type)(values)}}\n`;
    this.sink.write(plan.channel, line, plan.barrier);
    for (const listener of this.listeners) listener(type, values, line);
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
