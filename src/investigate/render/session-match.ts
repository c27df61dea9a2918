import { dataDirArg } from '../../domain/shell-word.js';
import type { LocatedEvent } from '../query/find-events.js';

/** Known ids shown when --session matches none: the latest, where a typo most likely meant. */
const KNOWN_SHOWN = 5;

/**
 * What to say when --session names no session of the logs: the latest known ids, newest first, and
 * how many older ones `tradetrace sessions` would list. `known` is oldest first; `hintDir` is the
 * --data-dir the printed command must name (see followUpDataDir).
 */
export function noSessionMatch(known: readonly string[], session: string | undefined, logsDir: string, hintDir?: string): string {
  if (!session || known.length === 0) return `no sessions in ${logsDir}`;
  const latest = known.slice(-KNOWN_SHOWN).reverse();
  const more = known.length > latest.length ? `, and ${known.length - latest.length} older (tradetrace sessions${dataDirArg(hintDir)} lists them all)` : '';
  return `no session matches --session ${JSON.stringify(session)} in ${logsDir}; known: ${latest.join(', ')}${more}`;
}

/**
 * What --session leaves out of a decision's chain: its lines written in other sessions (a restart
 * reconciling its order, its position's exit after a restart). Null when it leaves nothing out.
 */
export function otherSessionLines(decisionId: string, session: string, events: readonly LocatedEvent[]): string | null {
  const others = new Map<string, number>();
  for (const e of events) if (e.event.session_id !== session) others.set(e.event.session_id, (others.get(e.event.session_id) ?? 0) + 1);
  if (others.size === 0) return null;
  const left = [...others.values()].reduce((a, b) => a + b, 0);
  const where = [...others.keys()].sort().join(', ');
  if (left === events.length) return `decision ${decisionId} has no lines in ${session}; its lines are in ${where}`;
  return `--session ${session} leaves out ${left} line${left === 1 ? '' : 's'} of decision ${decisionId} written in ${where} (a restart reconciling its order, or its position's exit); drop --session to see them`;
}
