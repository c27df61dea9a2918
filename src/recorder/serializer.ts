import { compileFunction } from 'node:vm';
import type { z } from 'zod';
import { Decimal } from '../domain/decimal.js';
import { CATALOG, type EventType } from './events/catalog.js';
import { fieldKind, type FieldKind } from './events/fields.js';
import { flat } from './flat-string.js';
import { hasKnownSecrets, MAX_ID_CHARS, MAX_TEXT_CHARS, REDACTED, redactionEpoch, redactValue, sanitizeId, sanitizeText, TEXT_SUSPECT } from './redaction.js';

/**
 * Serializers generated per event type from the catalog: field order, JSON keys and kinds are
 * fixed when the serializer is built, so writing a line is straight-line string concatenation
 * with no schema walk, no loop and no per-field dispatch. Every string still goes through
 * redaction; the fast paths only skip work that provably changes nothing (see safeId/safeText).
 */
export type FieldSerializer = (fields: Readonly<Record<string, unknown>>) => string;

// Anything that needs escaping in JSON, plus lone surrogates, the JS line separators and U+FFFD.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff\ufffd]/;
// Printable ASCII without `"` and `\`: such a string is its own JSON body.
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * JSON text with U+FFFD written as the escape `\ufffd` (the same value to any JSON parser). Decoding
 * puts that character where bytes are not valid UTF-8, so readers refuse a line holding a raw one as
 * damaged (see line-header-parse.ts): the recorder must never write one itself.
 */
function escapeReplacementChar(json: string): string {
  return json.includes('\ufffd') ? json.replace(/\ufffd/g, '\\ufffd') : json;
}

export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? escapeReplacementChar(JSON.stringify(text)) : `"${text}"`;
}

export function jsonNumber(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${value}` : 'null';
}

export function jsonDecimal(value: unknown): string {
  return value instanceof Decimal ? value.toString() : jsonNumber(value);
}

/** An id-like field: bounded, known secrets scrubbed, JSON-escaped. */
export function jsonId(value: unknown): string {
  if (typeof value === 'string' && value.length <= MAX_ID_CHARS && PLAIN_ASCII.test(value)) {
    // Scrubbing puts in only "[REDACTED]", so a plain string stays plain; only its length may change.
    return hasKnownSecrets() ? `"${sanitizeId(value)}"` : `"${value}"`;
  }
  return jsonString(sanitizeId(String(value)));
}

/** A free-text field: credentials masked, known secrets scrubbed, bounded, JSON-escaped. */
export function jsonText(value: unknown): string {
  if (typeof value === 'string' && value.length <= MAX_TEXT_CHARS && !hasKnownSecrets() && !TEXT_SUSPECT.test(value)) {
    return jsonString(value);
  }
  return jsonString(sanitizeText(String(value)));
}

export function jsonData(value: unknown): string {
  // Guards report plain numbers and booleans: those are their own JSON, with nothing to redact.
  if (typeof value === 'number') return jsonNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  return escapeReplacementChar(JSON.stringify(redactValue(value)) ?? 'null');
}

const HELPERS = { jsonId, jsonText, jsonNumber, jsonDecimal, jsonData, redactionEpoch, flat, Decimal };
type Helpers = typeof HELPERS;

const NUMBER = "(typeof x === 'number' && x - x === 0 ? '' + x : 'null')";

/** The kinds whose fragments are cached by value; booleans and secrets have constant ones, JSON data none. */
type CachedKind = Exclude<FieldKind, 'bool' | 'secret' | 'json'>;

/** The JS expression that writes `x` (known not null/undefined) for a field of `kind`. */
function expressionFor(kind: CachedKind): string {
  switch (kind) {
    case 'id':
      return 'h.jsonId(x)';
    case 'text':
      return 'h.jsonText(x)';
    case 'number':
    case 'int':
      return NUMBER;
    case 'decimal':
      return `(x instanceof h.Decimal ? x.toString() : ${NUMBER})`;
  }
}

/**
 * The generated source of one event type's serializer: the body of a factory taking the helpers
 * `h` and returning `(v) => string`. Field values repeat from line to line (a symbol, a side, a
 * guard's message, a price), so a field keeps its last value and its whole `,"key":value` fragment,
 * flattened once (see flat-string.ts): a repeated field costs one comparison and adds one piece to
 * the line. Decimals are immutable, so they are cached by identity; registering a secret clears the
 * caches. Booleans and secrets have constant fragments.
 */
export function serializerSource(type: EventType): string {
  const shape = CATALOG[type].fields as Record<string, z.ZodType>;
  const state = ['let epoch = -1;'];
  const reset: string[] = [];
  const body: string[] = [];
  Object.entries(shape).forEach(([name, schema], i) => {
    const kind = fieldKind(schema);
    // Names come from the catalog, but are still quoted through JSON.stringify so no name can inject code.
    const key = `,${JSON.stringify(name)}:`;
    const prefix = JSON.stringify(key);
    body.push(`x = v[${JSON.stringify(name)}];`);
    if (kind === 'bool') {
      const [isTrue, isFalse, isNull] = ['true', 'false', 'null'].map((json) => JSON.stringify(key + json));
      body.push(`if (x !== undefined) out += x === null ? ${isNull} : x === true ? ${isTrue} : ${isFalse};`);
    } else if (kind === 'secret') {
      const [isNull, redacted] = ['null', JSON.stringify(REDACTED)].map((json) => JSON.stringify(key + json));
      body.push(`if (x !== undefined) out += x === null ? ${isNull} : ${redacted};`);
    } else if (kind === 'json') {
      body.push(`if (x !== undefined) out += ${prefix} + (x === null ? 'null' : h.jsonData(x));`);
    } else {
      const cacheable = kind === 'decimal' ? "(x instanceof h.Decimal || typeof x === 'number')" : kind === 'number' || kind === 'int' ? "typeof x === 'number'" : "typeof x === 'string'";
      // Flattened at its first reuse: a value seen once (a bar's time) is not copied for nothing.
      state.push(`let k${i}; let f${i} = ''; let once${i} = false;`);
      reset.push(`k${i} = undefined;`);
      body.push(
        `if (x !== undefined) {`,
        `  if (x !== k${i}) {`,
        `    const f = ${prefix} + (x === null ? 'null' : ${expressionFor(kind)});`,
        `    if (${cacheable}) { k${i} = x; f${i} = f; once${i} = true; }`,
        `    out += f;`,
        `  } else {`,
        `    if (once${i}) { once${i} = false; h.flat(f${i}); }`,
        `    out += f${i};`,
        `  }`,
        `}`,
      );
    }
  });
  return [
    "'use strict';",
    ...state,
    `return function serialize_${type.replace(/\W/g, '_')}(v) {`,
    `  if (h.redactionEpoch() !== epoch) { epoch = h.redactionEpoch(); ${reset.join(' ')} }`,
    "  let out = '';",
    '  let x;',
    ...body.map((line) => `  ${line}`),
    '  return out;',
    '};',
  ].join('\n');
}

function compile(type: EventType): FieldSerializer {
  // Generated code over trusted catalog text: one monomorphic function per event type, which V8
  // optimizes far better than a generic loop over field descriptors (measured ~1.3x).
  const factory = compileFunction(serializerSource(type), ['h'], { filename: `tradetrace-serializer-${type}.js` }) as (
    h: Helpers,
  ) => FieldSerializer;
  return factory(HELPERS);
}

const compiled = new Map<EventType, FieldSerializer>();

/** The `,"field":value...` part of a line, in catalog order, without braces. */
export function serializerFor(type: EventType): FieldSerializer {
  let serializer = compiled.get(type);
  if (!serializer) {
    serializer = compile(type);
    compiled.set(type, serializer);
  }
  return serializer;
}
