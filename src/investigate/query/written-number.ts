import { Decimal } from '../../domain/decimal.js';
import type { LocatedEvent } from './find-events.js';

/** A number field as the line has it, every digit written (JSON.parse may round a long decimal). */
export function writtenNumber(e: LocatedEvent, key: string): string | undefined {
  const value = (e.event as Record<string, unknown>)[key];
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') return undefined;
  const marker = `,"${key}":`;
  const at = e.text.indexOf(marker);
  const m = at >= 0 ? /^-?[0-9.eE+-]+/.exec(e.text.slice(at + marker.length)) : null;
  return m ? m[0] : String(value);
}

/** Whether a written quantity is above zero; one in exponent form (`1e-8`) is read as a number. */
export function positiveWritten(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    return Decimal.parse(text).isPositive();
  } catch {
    return Number(text) > 0;
  }
}
