import type { Channel } from '../../recorder/channels.js';
import type { EventType } from '../../recorder/events/catalog.js';
import type { LogFile } from '../../recorder/log-files.js';
import type { LogSet } from './log-set.js';

/** The bytes that start an event's type on a recorder line: `"event_type":"ORDER_FAILED"`. */
export function eventNeedles(types: readonly EventType[]): string[] {
  return types.map((t) => `"event_type":"${t}"`);
}

export function filesOf(set: LogSet, channels: readonly Channel[]): LogFile[] {
  return set.files.filter((f) => channels.includes(f.channel));
}
