import { isAlias, isMap, isScalar, parseDocument, type Document } from 'yaml';
import { Decimal } from '../domain/decimal.js';

/** How a file wrote one scalar: its source text and where it starts. */
export interface WrittenScalar {
  readonly source: string;
  readonly offset: number;
}

/**
 * Finds how a config file wrote `section.name`'s value. YAML and JSON both read a number as a
 * float, which loses digits of money; the text is the exact value. JSON is re-read as YAML (a
 * superset of it) for the text only: its values and errors still come from JSON.parse.
 */
export function scalarLocator(text: string): (section: string, name: string) => WrittenScalar | undefined {
  let doc: Document | undefined;
  const resolved = (node: unknown): unknown => (isAlias(node) && doc ? node.resolve(doc) : node);
  // The last pair of a repeated key, as JSON.parse keeps the last (YAML refuses repeats earlier).
  const valueOf = (node: unknown, key: string): unknown => {
    const map = resolved(node);
    return isMap(map) ? resolved(map.items.findLast((pair) => isScalar(pair.key) && pair.key.value === key)?.value) : undefined;
  };
  return (section, name) => {
    doc ??= parseDocument(text, { uniqueKeys: false });
    const node = valueOf(valueOf(doc.contents, section), name);
    if (!isScalar(node) || typeof node.source !== 'string' || !node.range) return undefined;
    return { source: node.source, offset: node.range[0] };
  };
}

/** Plain decimal text, as env and flags give a decimal key (keys.ts): read exactly by the key itself. */
const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const RADIX_INTEGER = /^([+-]?)0([xo])([0-9a-f]+)$/i;

function parsed(text: string): Decimal | undefined {
  try {
    return Decimal.parse(text);
  } catch {
    return undefined;
  }
}

export type FileDecimal = { readonly ok: true; readonly raw: number | string } | { readonly ok: false; readonly reason: string };

/** A YAML hex or octal integer (`0x1F`, `-0o17`), exactly: a float holds one only below 2^53. */
function radixInteger(source: string): string | undefined {
  const m = RADIX_INTEGER.exec(source);
  if (!m) return undefined;
  try {
    const n = BigInt(`0${m[2] ?? ''}${m[3] ?? ''}`);
    return (m[1] === '-' ? -n : n).toString();
  } catch {
    return undefined;
  }
}

/**
 * The value a decimal key (money, quantity, percent) is given for a number a file wrote as
 * `written`, which the YAML/JSON reader made the float `value`. A float whose value is the
 * written one (`50`, `0.001`, `50.0`) stays as it was; otherwise the written text is the value,
 * so a file gives the same value, and config hash, as `--set` with that text.
 */
export function fileDecimal(value: number, written: WrittenScalar | undefined): FileDecimal {
  // Not reached for a file YAML or JSON reads; refused rather than risk a silently rounded amount.
  if (written === undefined) return { ok: false, reason: `written as a number, ${String(value)} cannot be read exactly (its text was not found); quote it as written, e.g. "${String(value)}"` };
  const source = written.source.trim();
  const exact = parsed(source) ?? parsed(radixInteger(source) ?? '');
  const float = parsed(String(value));
  if (exact !== undefined && float?.eq(exact) === true) return { ok: true, raw: value };
  // Too many places is refused by the key, as it is for the same text from --set.
  if (PLAIN_DECIMAL.test(source)) return { ok: true, raw: source };
  if (exact !== undefined) return { ok: true, raw: exact.toString() };
  // An exponent beyond the places a decimal key holds (1e-40): the key refuses it, as before.
  return { ok: true, raw: value };
}
