/** Known ids shown when --session matches none: the latest, where a typo most likely meant. */
const KNOWN_SHOWN = 5;

/**
 * What to say when --session names no session of the logs: the latest known ids, newest first, and
 * how many older ones `tradetrace sessions` would list. `known` is oldest first.
 */
export function noSessionMatch(known: readonly string[], session: string | undefined, logsDir: string): string {
  if (!session || known.length === 0) return `no sessions in ${logsDir}`;
  const latest = known.slice(-KNOWN_SHOWN).reverse();
  const more = known.length > latest.length ? `, and ${known.length - latest.length} older (tradetrace sessions lists them all)` : '';
  return `no session matches --session ${JSON.stringify(session)} in ${logsDir}; known: ${latest.join(', ')}${more}`;
}
