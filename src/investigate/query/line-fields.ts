import type { EventType } from '../../recorder/events/catalog.js';
import type { LocatedEvent } from './find-events.js';
import type { SkippedLines } from './skipped-lines.js';

/**
 * The type a query needs a field of a line to have. The line reader checks the header only (see
 * line-parse.ts: the catalog's schemas cost more than a query), so a well-formed line can still carry
 * `"guard":7` where a name belongs; a query that used it as read crashed on it, or printed it as an
 * answer. Each query declares the fields it reads, per event type, and has every candidate line
 * checked here before it uses one: a line that fails is reported as unreadable (file and line, as a
 * line that does not parse), and the answer comes from the rest.
 *
 * - 'string', 'number', 'integer', 'object' (not null, not an array), 'array', 'scalar' (string,
 *   number, boolean or null), 'any': the field must be present with that type; with a trailing '?'
 *   it may also be absent (null stays wrong: the recorder leaves an optional field out);
 * - a list of strings: the field must be one of them (the catalog's enums);
 * - `{ want, test }`: the field must pass `test` (a structure: CONFIG_DIFF's changes); `want` says what it should be.
 */
export type FieldKind = 'string' | 'number' | 'integer' | 'object' | 'array' | 'scalar' | 'any';
export type FieldRule = FieldKind | `${FieldKind}?` | readonly string[] | { readonly want: string; readonly test: (value: unknown) => boolean };

/** Per event type, the fields a query reads and the rule each must meet; lines of other types pass. */
export type LineFields = Readonly<Partial<Record<EventType, Readonly<Record<string, FieldRule>>>>>;

/** The problem code of a line whose fields are not of the types its event type has. */
export const INVALID_FIELDS = 'invalid_fields';

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'scalar':
      return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    case 'any':
      return true;
  }
}

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 60));

/** What is wrong with one field, or undefined when it meets the rule. */
function fieldProblem(event: Readonly<Record<string, unknown>>, name: string, rule: FieldRule): string | undefined {
  const value = event[name];
  if (typeof rule === 'object' && 'test' in rule) return rule.test(value) ? undefined : `${name} is ${shown(value)}, not ${rule.want}`;
  if (typeof rule !== 'string') return typeof value === 'string' && rule.includes(value) ? undefined : `${name} is ${shown(value)}, not one of ${rule.join(', ')}`;
  const optional = rule.endsWith('?');
  const kind = (optional ? rule.slice(0, -1) : rule) as FieldKind;
  if (value === undefined) return optional || kind === 'any' ? undefined : `${name} is missing`;
  return hasKind(value, kind) ? undefined : `${name} is ${shown(value)}, not ${kind === 'integer' || kind === 'array' || kind === 'object' ? 'an' : 'a'} ${kind}`;
}

/** What is wrong with the fields `fields` names for the line's type, or undefined when all are as the query needs. */
export function fieldsProblem(e: LocatedEvent, fields: LineFields): string | undefined {
  const type = e.event.event_type;
  const rules = fields[type];
  if (!rules) return undefined;
  const event = e.event as Readonly<Record<string, unknown>>;
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const problem = fieldProblem(event, name, rule);
    if (problem !== undefined) problems.push(problem);
  }
  return problems.length === 0 ? undefined : `${type}: ${problems.join('; ')}`;
}

/** The skipped-line entry for a line whose fields are wrong. */
export function invalidFieldsLine(e: LocatedEvent, problem: string): Parameters<SkippedLines['add']>[0] {
  return { file: e.file, offset: e.offset, code: INVALID_FIELDS, message: problem, excerpt: e.text.slice(0, 120) };
}

/**
 * Whether the line's fields are what the query reads them as; if not, it is added to `skipped` (and
 * the caller leaves it out). The one check a query runs on each line it uses.
 */
export function readableFields(e: LocatedEvent, fields: LineFields, skipped: SkippedLines): boolean {
  const problem = fieldsProblem(e, fields);
  if (problem === undefined) return true;
  skipped.add(invalidFieldsLine(e, problem));
  return false;
}
