import type { TimeWindow } from '../query/find-events.js';
import type { LinesOutside } from '../query/lines-outside.js';
import { duration, utc } from './time-format.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One decision or intent shown whole although the window cuts some of its lines. */
export function windowCutNote(kind: 'decision' | 'intent', id: string, outside: LinesOutside, window: TimeWindow): string {
  const parts = [
    ...(outside.before > 0 ? [`${outside.before} before --since ${utc(window.since ?? '')}`] : []),
    ...(outside.after > 0 ? [`${outside.after} after --until ${utc(window.until ?? '')}`] : []),
  ];
  return `${kind} ${id} has ${plural(outside.before + outside.after, 'line')} outside the window (${parts.join(', ')}): shown whole all the same, as a verdict drawn from part of its lines would be wrong`;
}

/** The listing's intents with lines in the window and outside it, each listed whole. */
export function intentsCutNote(count: number, window: TimeWindow): string {
  const edges = [...(window.since ? [`before --since ${utc(window.since)}`] : []), ...(window.until ? [`after --until ${utc(window.until)}`] : [])].join(' or ');
  return `${plural(count, 'intent')} with lines in the window also ha${count === 1 ? 's' : 've'} lines ${edges}: listed whole, as a verdict drawn from part of an intent's lines would be wrong`;
}

/** The listing's intents whose first lines are older than the lookback before --since: listed from part of their lines. */
export function startedEarlierNote(ids: readonly string[], since: string, lookbackMs: number): string {
  const example = ids[0] ?? '';
  return (
    `${plural(ids.length, 'intent')} began more than ${duration(lookbackMs)} before --since ${utc(since)} (no ORDER_CONTEXT read for ${ids.length === 1 ? 'it' : 'them'}): ` +
    `listed from ${ids.length === 1 ? 'its' : 'their'} later lines only; \`tradetrace orders --intent ${example}\` shows ${ids.length === 1 ? 'it' : 'one'} whole`
  );
}
