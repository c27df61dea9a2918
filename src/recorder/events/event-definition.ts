import type { z } from 'zod';
import type { Channel, Level } from '../channels.js';

/** Which trace ids a line of this event must carry (from the trace context or given explicitly). */
export type TraceRequirement = 'none' | 'decision' | 'intent' | 'decision_and_intent';

export interface EventDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  readonly channel: Channel;
  readonly level: Level;
  /** One line: what this event means to an operator. */
  readonly meaning: string;
  readonly requires: TraceRequirement;
  readonly fields: Shape;
}

export function defineEvent<const Shape extends z.ZodRawShape>(
  definition: EventDefinition<Shape>,
): EventDefinition<Shape> {
  return definition;
}
