import type { AnyEventLine } from './events/catalog.js';

export type LineProblemCode = 'not_json' | 'not_an_object' | 'unknown_event_type' | 'invalid_fields' | 'truncated' | 'not_utf8';

export interface LineProblem {
  readonly code: LineProblemCode;
  readonly message: string;
}

export type ParsedLine = { ok: true; value: AnyEventLine } | { ok: false; error: LineProblem };

/**
 * What decoding puts in place of bytes that are not valid UTF-8. The recorder writes this character
 * as the escape `\ufffd` (see serializer.ts), so a raw one in a line means its bytes were damaged.
 */
const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * JSON and the header keys every line starts with (ts, session_id, seq, and an event_type that
 * `isKnownType` accepts), in text decoded from valid UTF-8. Free of the catalog's schemas on purpose:
 * readers that must start fast (the query commands) use it directly, and parseLine adds schema
 * validation on top. The query commands, the alert watcher and the test readers all parse lines here,
 * so this is where damaged bytes are refused: read through, they give a wrong value (a phantom session
 * id), which is worse than a line skipped and reported.
 */
export function parseLineHeader(text: string, isKnownType: (type: string) => boolean): ParsedLine {
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
  // After JSON.parse, so a line torn inside a multi-byte character is still reported as truncated.
  // One search per line, a few percent of the JSON.parse before it (a line of ASCII is rejected at once).
  if (text.indexOf(REPLACEMENT_CHARACTER) >= 0) {
    return { ok: false, error: { code: 'not_utf8', message: 'line is not valid UTF-8 (bytes damaged on disk?)' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'not_an_object', message: 'line is JSON but not an object' } };
  }
  const record = value as Record<string, unknown>;
  const type = record['event_type'];
  if (typeof type !== 'string' || !isKnownType(type)) {
    return { ok: false, error: { code: 'unknown_event_type', message: `unknown event_type ${JSON.stringify(type)}` } };
  }
  if (typeof record['ts'] !== 'string' || typeof record['seq'] !== 'number' || typeof record['session_id'] !== 'string') {
    return { ok: false, error: { code: 'invalid_fields', message: 'line lacks ts, session_id or seq' } };
  }
  return { ok: true, value: record as AnyEventLine };
}
