import { inWindow, type LocatedEvent, type TimeWindow } from './find-events.js';

/** How many of one decision's or one intent's lines fall before --since and after --until. */
export interface LinesOutside {
  readonly before: number;
  readonly after: number;
}

/**
 * What --since/--until would cut from one decision's or intent's lines, which are shown whole
 * instead (a verdict drawn from part of them is wrong). Null when the window cuts nothing.
 */
export function linesOutside(events: readonly LocatedEvent[], window: TimeWindow): LinesOutside | null {
  let before = 0;
  let after = 0;
  for (const e of events) {
    if (inWindow(e.event, window)) continue;
    if (window.since !== undefined && e.event.ts < window.since) before++;
    else after++;
  }
  return before + after === 0 ? null : { before, after };
}
