// Where the character read by `flat` is kept: a store to a shared object, which the optimizer
// cannot drop, so neither can it drop the read that flattens.
const lastRead = { code: 0 };

/**
 * `text`, made one flat string. V8 keeps `a + b` as a tree of its parts and copies them out only
 * when the whole string is read, which writing a line does, tree node by tree node. A fragment that
 * goes into many lines (a cached field with its key, a trace id, the timestamp) is flattened once
 * here instead: reading one character turns the tree into a flat string in place, so every later
 * line holds it as one piece. Measured on a line of 18 repeated fields: about 0.4 us less per
 * written line (of about 3), the same bytes.
 */
export function flat(text: string): string {
  lastRead.code = text.charCodeAt(0);
  return text;
}
