import { z } from 'zod';
import { Decimal } from '../domain/decimal.js';
import { WEBHOOK_URL_EXPECTED, webhookUrlProblem } from '../domain/webhook-url.js';
import { DURATION_EXPECTED, formatDuration, parseDuration } from './duration.js';

/** How a config key's value is written in a file, an env variable or a flag, and how it is parsed. */
export type KeyKind = 'bool' | 'int' | 'number' | 'decimal' | 'duration' | 'text' | 'enum' | 'list' | 'url';

export interface KeyMeta {
  readonly kind: KeyKind;
  /** What a valid value looks like, in words: goes into every error about this key. */
  readonly expected: string;
  readonly description: string;
  /** Text of the default as a user would write it; undefined for optional keys. */
  readonly defaultText: string | undefined;
  /** A word that means 0 for this number (`max` for the replay speed): accepted as input, shown for 0. */
  readonly zeroWord?: string;
  secret: boolean;
}

/**
 * What a key expects, said for the value given: text with an exponent for a numeric key gets told
 * why it is refused (`1e1` reads as 10 elsewhere, so "expected an integer" alone would puzzle).
 */
export function expectedFor(meta: Pick<KeyMeta, 'kind' | 'expected'>, raw: unknown): string {
  const numeric = meta.kind === 'int' || meta.kind === 'number' || meta.kind === 'decimal';
  if (numeric && typeof raw === 'string' && EXPONENT_TEXT.test(raw.trim())) return `${meta.expected}, as plain decimal text without an exponent`;
  return meta.expected;
}

const metas = new WeakMap<z.ZodType, KeyMeta>();

export function keyMeta(schema: z.ZodType): KeyMeta | undefined {
  return metas.get(schema);
}

/**
 * Marks a key secret: its value is never logged or snapshotted (the audit replaces it by its hash)
 * and it is registered with the recorder's redaction so it is scrubbed from any text.
 */
export function secret<S extends z.ZodType>(schema: S): S {
  const meta = metas.get(schema);
  if (!meta) throw new Error('secret() takes a key built with key.*');
  meta.secret = true;
  return schema;
}

const BOOL_WORDS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };
/** Numbers, integers and decimals given as text (env, flags, a string in a file) are plain decimal text. */
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** The same with an exponent (`1e1`, `2.5E-3`): refused, and named in the error so the fix is plain. */
const EXPONENT_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)e[+-]?\d+$/i;

function toBool(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  // A file's native 1 and 0 are the same as the text "1" and "0"; no other number is a boolean.
  if (raw === 1 || raw === 0) return raw === 1;
  return typeof raw === 'string' ? BOOL_WORDS[raw.trim().toLowerCase()] : undefined;
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string' || !NUMBER_TEXT.test(raw.trim())) return undefined;
  // Hundreds of digits overflow to Infinity, which no key takes.
  const n = Number(raw.trim());
  return Number.isFinite(n) ? n : undefined;
}

function toDecimal(raw: unknown): Decimal | undefined {
  if (typeof raw !== 'number' && typeof raw !== 'string') return undefined;
  // Decimal.parse also reads exponents (candle files use them); config text is plain decimal text.
  if (typeof raw === 'string' && !NUMBER_TEXT.test(raw.trim())) return undefined;
  try {
    return Decimal.from(typeof raw === 'string' ? raw.trim() : raw);
  } catch {
    return undefined;
  }
}

function toList(raw: unknown): string[] | undefined {
  const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
  if (!items?.every((item) => typeof item === 'string')) return undefined;
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

/** An optional key's value, trimmed; blank text means unset. */
function optionalRaw(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  return text === '' ? undefined : text;
}

function leaf<T>(kind: KeyKind, expected: string, description: string, coerce: (raw: unknown) => T | undefined) {
  return z.unknown().transform((raw, ctx): T => {
    const value = raw === undefined ? undefined : coerce(raw);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}`, input: raw, params: { leaf: true } });
      return z.NEVER;
    }
    return value;
  });
}

function register<S extends z.ZodType>(schema: S, meta: Omit<KeyMeta, 'secret'>): S {
  metas.set(schema, { ...meta, secret: false });
  return schema;
}

interface Range<T> {
  readonly min: T;
  readonly max?: T;
}

function inRange(value: number, range: Range<number>): boolean {
  return value >= range.min && (range.max === undefined || value <= range.max);
}

function rangeText(range: Range<string | number>): string {
  return range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
}

/** Builders for config keys: each parses file, env and flag text the same way and knows its own error text. */
export const key = {
  bool(defaultValue: boolean, description: string) {
    const expected = 'a boolean (true/false, 1/0, yes/no, on/off)';
    return register(leaf('bool', expected, description, toBool).prefault(defaultValue), { kind: 'bool', expected, description, defaultText: String(defaultValue) });
  },
  int(defaultValue: number, range: Range<number>, description: string) {
    const expected = `an integer ${rangeText(range)}`;
    const coerce = (raw: unknown) => {
      const n = toNumber(raw);
      return n !== undefined && Number.isInteger(n) && inRange(n, range) ? n : undefined;
    };
    return register(leaf('int', expected, description, coerce).prefault(defaultValue), { kind: 'int', expected, description, defaultText: String(defaultValue) });
  },
  number(defaultValue: number, range: Range<number>, description: string, zeroWord?: string) {
    const expected = `a number ${rangeText(range)}${zeroWord === undefined ? '' : ` (or ${zeroWord}, which is 0)`}`;
    const coerce = (raw: unknown) => {
      const n = zeroWord !== undefined && typeof raw === 'string' && raw.trim().toLowerCase() === zeroWord ? 0 : toNumber(raw);
      return n !== undefined && inRange(n, range) ? n : undefined;
    };
    const meta = { kind: 'number', expected, description, defaultText: String(defaultValue), ...(zeroWord === undefined ? {} : { zeroWord }) } as const;
    return register(leaf('number', expected, description, coerce).prefault(defaultValue), meta);
  },
  /** Money, prices and the percentages applied to them: exact decimals, never floats. */
  decimal(defaultValue: string, range: Range<string>, description: string) {
    const expected = `a decimal number ${rangeText(range)}`;
    const min = Decimal.parse(range.min);
    const max = range.max === undefined ? undefined : Decimal.parse(range.max);
    const coerce = (raw: unknown) => {
      const d = toDecimal(raw);
      return d !== undefined && d.gte(min) && (max === undefined || d.lte(max)) ? d : undefined;
    };
    return register(leaf('decimal', expected, description, coerce).prefault(defaultValue), { kind: 'decimal', expected, description, defaultText: defaultValue });
  },
  /** A duration, parsed to milliseconds. */
  duration(defaultValue: string, range: Range<string>, description: string) {
    const min = parseDuration(range.min) ?? 0;
    const max = range.max === undefined ? undefined : parseDuration(range.max);
    const expected = `${DURATION_EXPECTED}, ${rangeText({ min: formatDuration(min), ...(max === undefined ? {} : { max: formatDuration(max) }) })}`;
    const coerce = (raw: unknown) => {
      const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
      return ms !== undefined && ms >= min && (max === undefined || ms <= max) ? ms : undefined;
    };
    return register(leaf('duration', expected, description, coerce).prefault(defaultValue), { kind: 'duration', expected, description, defaultText: defaultValue });
  },
  text(defaultValue: string, pattern: RegExp, expected: string, description: string) {
    const coerce = (raw: unknown) => (typeof raw === 'string' && pattern.test(raw) ? raw : undefined);
    return register(leaf('text', expected, description, coerce).prefault(defaultValue), { kind: 'text', expected, description, defaultText: defaultValue });
  },
  oneOf<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number], description: string) {
    const expected = `one of ${values.join(', ')}`;
    const coerce = (raw: unknown): T[number] | undefined =>
      typeof raw === 'string' && (values as readonly string[]).includes(raw.trim()) ? raw.trim() : undefined;
    return register(leaf('enum', expected, description, coerce).prefault(defaultValue), { kind: 'enum', expected, description, defaultText: defaultValue });
  },
  list(defaultValue: readonly string[], item: { pattern: RegExp; expected: string }, description: string) {
    const expected = `a non-empty list of ${item.expected} (comma-separated in env and flags)`;
    const coerce = (raw: unknown) => {
      const items = toList(raw);
      return items !== undefined && items.length > 0 && items.every((i) => item.pattern.test(i)) ? items : undefined;
    };
    return register(leaf('list', expected, description, coerce).prefault([...defaultValue]), { kind: 'list', expected, description, defaultText: defaultValue.join(',') });
  },
  /**
   * Optional free text (credentials): unset unless given; an empty value means unset. Trimmed like
   * every other value: `KEY\r` from an env file saved with CRLF line ends is the key, not another
   * one (it hashed differently, so drift reported a secret changed that had not).
   */
  optionalText(description: string) {
    const expected = 'a non-empty string';
    const coerce = (raw: unknown) => (typeof raw === 'string' && raw.length > 0 ? raw : undefined);
    const schema = z.preprocess(optionalRaw, leaf('text', expected, description, coerce).optional());
    return register(schema, { kind: 'text', expected, description, defaultText: undefined });
  },
  optionalUrl(description: string) {
    const expected = WEBHOOK_URL_EXPECTED;
    const coerce = (raw: unknown) => (typeof raw === 'string' && webhookUrlProblem(raw) === undefined ? raw : undefined);
    const schema = z.preprocess(optionalRaw, leaf('url', expected, description, coerce).optional());
    return register(schema, { kind: 'url', expected, description, defaultText: undefined });
  },
};
