import { isEventType, lineSchema } from './events/catalog.js';
import { parseLineHeader, type ParsedLine } from './line-header-parse.js';

export type { LineProblem, LineProblemCode, ParsedLine } from './line-header-parse.js';

/**
 * Parses one log line. With `validate`, the line is checked against its catalog schema; without,
 * only the header keys are checked (fast path for queries that only need a few fields).
 */
export function parseLine(text: string, validate = false): ParsedLine {
  const parsed = parseLineHeader(text, isEventType);
  if (!parsed.ok) return parsed;
  const type = parsed.value.event_type;
  if (validate) {
    const result = lineSchema(type).safeParse(parsed.value);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid_fields', message: `${type}: ${issues}` } };
    }
  }
  return parsed;
}
