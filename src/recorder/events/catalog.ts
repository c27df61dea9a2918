import { z } from 'zod';
import { LEVELS } from '../channels.js';
import { alertEvents } from './alert-events.js';
import { auditEvents } from './audit-events.js';
import { dashboardEvents } from './dashboard-events.js';
import { decisionEvents } from './decision-events.js';
import type { EventDefinition } from './event-definition.js';
import { marketEvents } from './market-events.js';
import { orderEvents } from './order-events.js';
import { stateEvents } from './state-events.js';
import { systemEvents } from './system-events.js';

/**
 * The event catalog: the single source of truth for every line the recorder writes. Typed emit,
 * reader validation, docs/events.md and docs/events.schema.json all derive from it.
 */
export const CATALOG = {
  ...decisionEvents,
  ...orderEvents,
  ...auditEvents,
  ...systemEvents,
  ...dashboardEvents,
  ...alertEvents,
  ...marketEvents,
  ...stateEvents,
} as const;

export type Catalog = typeof CATALOG;
export type EventType = keyof Catalog;
export const EVENT_TYPES = Object.keys(CATALOG) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(CATALOG, value);
}

export function eventDefinition(type: EventType): EventDefinition {
  return CATALOG[type];
}

type FieldsOf<T extends EventType> = Catalog[T]['fields'];

/** Trace ids a caller may set explicitly; otherwise they come from the trace context. */
export interface TraceIds {
  decision_id?: string;
  intent_id?: string;
}

/** What a caller passes to emit(): the event's own fields, typed from the catalog. */
export type EventInput<T extends EventType> = z.input<z.ZodObject<FieldsOf<T>>> & TraceIds;

/** The keys every line starts with, in this order. */
export const headerShape = {
  ts: z.string().describe('ISO 8601 UTC with milliseconds'),
  level: z.enum(LEVELS).describe('severity'),
  event_type: z.string().describe('the catalog event type'),
  session_id: z.string().describe('session_YYYYMMDD_HHMMSS of the writing process'),
  seq: z.number().int().describe('per-session counter; orders lines across files'),
  decision_id: z.string().optional().describe('dec_YYYYMMDD_HHMMSS_<6 hex>, inside a decision'),
  intent_id: z.string().optional().describe('int_<hex>, inside an order intent'),
};

export const lineHeaderSchema = z.object(headerShape);
export type LineHeader = z.infer<typeof lineHeaderSchema>;

/** A line as read back: header plus the event's fields (decimals are plain numbers here). */
export type EventLine<T extends EventType> = Omit<LineHeader, 'event_type'> & {
  event_type: T;
} & z.output<z.ZodObject<FieldsOf<T>>>;

export type AnyEventLine = { [T in EventType]: EventLine<T> }[EventType];

const lineSchemas = new Map<EventType, z.ZodType>();

/** The strict zod schema of a whole line of `type`, for validation when reading. */
export function lineSchema(type: EventType): z.ZodType {
  let schema = lineSchemas.get(type);
  if (!schema) {
    schema = z.object({ ...headerShape, event_type: z.literal(type), ...CATALOG[type].fields }).strict();
    lineSchemas.set(type, schema);
  }
  return schema;
}
