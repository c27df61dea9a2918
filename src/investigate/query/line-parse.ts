import type { AnyEventLine } from '../../recorder/events/catalog.js';
import type { LineProblem } from '../../recorder/line-parser.js';

export type ReadLine = { ok: true; value: AnyEventLine } | { ok: false; error: LineProblem };

const EVENT_TYPE = /^[A-Z][A-Z0-9_]*$/;

/**
 * The query-side reading of one line: JSON and the header every line starts with (ts, level,
 * event_type, session_id, seq), with the same problem codes as the recorder's parseLine. It does
 * not load the catalog's schemas: that costs more than a whole indexed query, and a line of an event
 * type this version does not know (a newer bot) is still shown rather than refused.
 */
export function readLogLine(text: string): ReadLine {
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
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) {
    return { ok: false, error: { code: 'unknown_event_type', message: `event_type ${JSON.stringify(type)} is not an event type` } };
  }
  if (typeof record['ts'] !== 'string' || typeof record['seq'] !== 'number' || typeof record['session_id'] !== 'string') {
    return { ok: false, error: { code: 'invalid_fields', message: 'line lacks ts, session_id or seq' } };
  }
  return { ok: true, value: record as AnyEventLine };
}
