import type { LocatedEvent } from './find-events.js';
import { partlyFilled, type IntentSummary } from './orders-tally.js';
import { positiveWritten, writtenNumber } from './written-number.js';

/** How `sessions` counts an intent with a final verdict (or a fill on an order still resting). */
export type IntentCount = 'fills' | 'partlyFilled' | 'failures';

export function countOf(s: IntentSummary): IntentCount | undefined {
  if (s.status === 'filled') return 'fills';
  if (partlyFilled(s)) return 'partlyFilled';
  return s.status === 'failed' ? 'failures' : undefined;
}


/** A line on which a session booked a fill: ORDER_FILLED, or an ORDER_RECONCILED that booked some (booked_qty > 0). */
function booksFill(e: LocatedEvent): boolean {
  const type = e.event.event_type;
  return type === 'ORDER_FILLED' || (type === 'ORDER_RECONCILED' && positiveWritten(writtenNumber(e, 'booked_qty')));
}

/**
 * The one session an intent is counted in, so the sessions' counts add up to the intents: a fill in
 * the session that booked it (its latest ORDER_FILLED's, or the ORDER_RECONCILED booked_fill's for an
 * order a restart found filled while no bot ran: that session's summary counts its money), a failure
 * in the session whose line gave the verdict (the router's ORDER_FAILED, or a restart's ORDER_RECONCILED
 * that found the order never reached the exchange). An intent's lines may span sessions (placed by a
 * killed one, settled by its restart); counting it in each, as before, counted one fill twice.
 */
export function countingSession(s: IntentSummary): string | undefined {
  const line = s.status === 'failed' ? s.terminal : (s.events.findLast(booksFill) ?? s.fill?.line ?? s.terminal);
  return (line ?? s.events.at(-1))?.event.session_id;
}

/** The session that placed the intent: that of its first line (its decision's, the first ORDER_CONTEXT). */
export function placingSession(s: IntentSummary): string | undefined {
  return s.events[0]?.event.session_id;
}

/** Intents of one other session, per kind: counted in one session but placed in another (or the other way round). */
export interface IntentCounts {
  fills: number;
  partlyFilled: number;
  failures: number;
}

/** Per other session (in the order met), the intents it shares with this one. */
export type ElsewhereCounts = Record<string, IntentCounts>;

export function noteElsewhere(into: ElsewhereCounts | null, kind: IntentCount, other: string): ElsewhereCounts {
  const out = into ?? {};
  const counts = (out[other] ??= { fills: 0, partlyFilled: 0, failures: 0 });
  counts[kind]++;
  return out;
}
