import { parseLineHeader, type ParsedLine } from '../../recorder/line-header-parse.js';

export type ReadLine = ParsedLine;

const EVENT_TYPE = /^[A-Z][A-Z0-9_]*$/;
const looksLikeEventType = (type: string): boolean => EVENT_TYPE.test(type);

/**
 * The query-side reading of one line: JSON and the header every line starts with (ts, level,
 * event_type, session_id, seq), with the same problem codes as the recorder's parseLine. It does
 * not load the catalog's schemas: that costs more than a whole indexed query, and a line of an event
 * type this version does not know (a newer bot) is still shown rather than refused.
 */
export function readLogLine(text: string): ReadLine {
  return parseLineHeader(text, looksLikeEventType);
}
