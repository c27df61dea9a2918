import { z } from 'zod';
import { Decimal } from '../../domain/decimal.js';

/**
 * How a field is serialized. The catalog's zod schemas say what a field is; the kind says how the
 * precompiled serializer writes it, so the hot path never walks a schema.
 * - id: a short machine string (symbol, code, enum), written as a JSON string, scrubbed of known secrets
 * - text: free text that may come from outside (exchange messages, errors): bounded and scrubbed
 * - number / int / bool: JSON scalars
 * - decimal: exact money or quantity, a Decimal (or number) written as a bare JSON number
 * - json: structured data, deep-redacted by key and bounded
 * - secret: never written; always "[REDACTED]"
 */
export type FieldKind = 'id' | 'text' | 'number' | 'int' | 'bool' | 'decimal' | 'json' | 'secret';

const kinds = new WeakMap<z.ZodType, FieldKind>();

function tag<S extends z.ZodType>(schema: S, kind: FieldKind, description: string): S {
  const described = schema.describe(description);
  kinds.set(described, kind);
  return described;
}

/** The kind of a catalog field, looking through `.optional()` and `.nullable()`. */
export function fieldKind(schema: z.ZodType): FieldKind {
  let current: z.ZodType = schema;
  for (let depth = 0; depth < 4; depth++) {
    const kind = kinds.get(current);
    if (kind) return kind;
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) {
      current = def.innerType;
      continue;
    }
    break;
  }
  return 'json';
}

export function isOptionalField(schema: z.ZodType): boolean {
  return (schema._zod.def as { type: string }).type === 'optional';
}

/** Accepts a Decimal when emitting; a log line read back holds a plain JSON number. */
const decimalValue = z.union([z.number(), z.custom<Decimal>((value) => value instanceof Decimal, 'expected a Decimal')]);

export const field = {
  id: (description: string) => tag(z.string(), 'id', description),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, description: string) =>
    tag(z.enum(values), 'id', description),
  text: (description: string) => tag(z.string(), 'text', description),
  number: (description: string) => tag(z.number(), 'number', description),
  int: (description: string) => tag(z.number().int(), 'int', description),
  bool: (description: string) => tag(z.boolean(), 'bool', description),
  decimal: (description: string) => tag(decimalValue, 'decimal', description),
  json: <S extends z.ZodType>(schema: S, description: string) => tag(schema, 'json', description),
  secret: (description: string) => tag(z.string(), 'secret', description),
};
