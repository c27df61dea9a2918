import { basename } from 'node:path';
import type { LocatedEvent } from '../query/find-events.js';
import type { Style } from './style.js';
import { describeEvent } from './trace-view.js';
import { utc } from './time-format.js';

/** One event as a standalone line: time, type, the readable description, ids and file. */
export function describeEventLine(e: LocatedEvent, style: Style): string {
  const ids = [e.event.decision_id, e.event.intent_id].filter((x): x is string => typeof x === 'string').join(' ');
  return `${utc(e.event.ts)}  ${style.cyan(e.event.event_type.padEnd(15))} ${describeEvent(e)}  ${style.dim(`${ids ? `${ids} ` : ''}${basename(e.file.path)}`)}`;
}
