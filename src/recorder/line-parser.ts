import { isEventType, lineSchema, type AnyEventLine } from './events/catalog.js';

export type LineProblemCode = 'not_json' | 'not_an_object' | 'unknown_event_type' | 'invalid_fields' | 'truncated';

export interface LineProblem {
  readonly code: LineProblemCode;
  readonly message: string;
}

export type ParsedLine = { ok: true; value: AnyEventLine } | { ok: false; error: LineProblem };

/**
 * Parses one log line. With `validate`, the line is checked against its catalog schema; without,
 * only the header keys are checked (fast path for queries that only need a few fields).
 */
export function parseLine(text: string, validate = false): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const truncated = text.startsWith('{') && !text.trimEnd().endsWith('}');
    return {
      ok: false,
      error: truncated
        ? { code: 'truncated', message: 'line ends before its JSON object closes (torn or truncated write)' }
        : { code: 'not_json', message: 'line is not JSON' },
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'not_an_object', message: 'line is JSON but not an object' } };
  }
  const record = value as Record<string, unknown>;
  const type = record['event_type'];
  if (typeof type !== 'string' || !isEventType(type)) {
    return { ok: false, error: { code: 'unknown_event_type', message: `unknown event_type ${JSON.stringify(type)}` } };
  }
  if (typeof record['ts'] !== 'string' || typeof record['seq'] !== 'number' || typeof record['session_id'] !== 'string') {
    return { ok: false, error: { code: 'invalid_fields', message: 'line lacks ts, session_id or seq' } };
  }
  if (validate) {
    const result = lineSchema(type).safeParse(record);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid_fields', message: `${type}: ${issues}` } };
    }
  }
  return { ok: true, value: record as AnyEventLine };
}
