import type { z } from 'zod';
import { Decimal } from '../domain/decimal.js';
import { CATALOG, type EventType } from './events/catalog.js';
import { fieldKind, type FieldKind } from './events/fields.js';
import { REDACTED, redactValue, sanitizeId, sanitizeText } from './redaction.js';

/**
 * Precompiled serializers, one per event type: the field order, kinds and JSON keys are worked out
 * once from the catalog, so writing a line is string concatenation, not a schema walk.
 */
interface CompiledField {
  readonly name: string;
  /** `,"name":` ready to concatenate. */
  readonly prefix: string;
  readonly kind: FieldKind;
}

export type FieldSerializer = (fields: Readonly<Record<string, unknown>>) => string;

// Anything that needs escaping in JSON, plus lone surrogates and the JS line separators.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function jsonNumber(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : 'null';
}

function jsonDecimal(value: unknown): string {
  if (value instanceof Decimal) return value.toString();
  return jsonNumber(value);
}

function serializeField(kind: FieldKind, value: unknown): string {
  switch (kind) {
    case 'id':
      return jsonString(sanitizeId(String(value)));
    case 'text':
      return jsonString(sanitizeText(String(value)));
    case 'number':
    case 'int':
      return jsonNumber(value);
    case 'bool':
      return value === true ? 'true' : 'false';
    case 'decimal':
      return jsonDecimal(value);
    case 'secret':
      return `"${REDACTED}"`;
    case 'json':
      return JSON.stringify(redactValue(value)) ?? 'null';
  }
}

function compile(type: EventType): FieldSerializer {
  const shape = CATALOG[type].fields as Record<string, z.ZodType>;
  const fields: CompiledField[] = Object.entries(shape).map(([name, schema]) => ({
    name,
    prefix: `,${JSON.stringify(name)}:`,
    kind: fieldKind(schema),
  }));
  return (values) => {
    let out = '';
    for (const f of fields) {
      const value = values[f.name];
      if (value === undefined) continue;
      out += f.prefix + (value === null ? 'null' : serializeField(f.kind, value));
    }
    return out;
  };
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
