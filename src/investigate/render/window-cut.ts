import type { LocatedEvent, TimeWindow } from '../query/find-events.js';
import { inWindow } from '../query/find-events.js';
import { utc } from './time-format.js';

/**
 * What --since/--until would have cut from one decision's or one intent's lines, which are shown
 * whole instead: a verdict drawn from part of them is wrong (an exit's time shown as the start, a
 * sold position "still open", a filled order with 0 attempts). Null when the window cuts nothing.
 */
export function windowCutNote(kind: 'decision' | 'intent', id: string, events: readonly LocatedEvent[], window: TimeWindow): string | null {
  const outside = events.filter((e) => !inWindow(e.event, window));
  if (outside.length === 0) return null;
  const before = window.since === undefined ? 0 : outside.filter((e) => e.event.ts < (window.since ?? '')).length;
  const after = outside.length - before;
  const parts = [
    ...(before > 0 ? [`${before} before --since ${utc(window.since ?? '')}`] : []),
    ...(after > 0 ? [`${after} after --until ${utc(window.until ?? '')}`] : []),
  ];
  const lines = `${outside.length} line${outside.length === 1 ? '' : 's'}`;
  return `${kind} ${id} has ${lines} outside the window (${parts.join(', ')}): shown whole all the same, as a verdict drawn from part of its lines would be wrong`;
}
