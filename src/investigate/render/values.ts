import type { LocatedEvent } from '../query/find-events.js';

/**
 * A field's value exactly as written on the line: numbers keep every digit the recorder wrote
 * (JSON.parse would round a long decimal), strings come back unquoted.
 */
export function raw(e: LocatedEvent, key: string): string {
  const marker = `,"${key}":`;
  const at = e.text.indexOf(marker);
  const value = (e.event as Record<string, unknown>)[key];
  if (at >= 0 && typeof value === 'number') {
    const m = /^-?[0-9.eE+-]+/.exec(e.text.slice(at + marker.length));
    if (m) return m[0];
  }
  if (value === undefined) return '?';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function field(e: LocatedEvent, key: string): unknown {
  return (e.event as Record<string, unknown>)[key];
}

export function text(e: LocatedEvent, key: string): string {
  const v = field(e, key);
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}
