/** Ids listed for an ambiguous prefix: enough to see the pattern, never the whole log (dec_2022 matched 44,973). */
export const AMBIGUOUS_SHOWN = 10;

/** `trace`'s answer to a prefix that matches several decisions (sorted ids), for stderr. */
export function renderAmbiguous(command: string, prefix: string, ids: readonly string[]): string {
  const shown = ids.slice(0, AMBIGUOUS_SHOWN).map((id) => `  ${id}\n`).join('');
  const rest = ids.length - AMBIGUOUS_SHOWN;
  const more = rest > 0 ? `  and ${rest} more; give more of the id\n` : '';
  return `tradetrace ${command}: "${prefix}" matches ${ids.length} decisions; give more of the id:\n${shown}${more}`;
}
