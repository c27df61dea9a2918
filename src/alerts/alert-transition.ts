import type { AlertRule } from '../recorder/events/alert-events.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';

/** One log line as the alert engine sees it: the parsed line and where it was read from. */
export interface Observation {
  readonly line: AnyEventLine;
  /** Log file the line came from (in the bot: `<logs>/<channel>.jsonl`). */
  readonly file: string;
  /** 1-based line number in that file, when known (the reader knows it; the in-bot listener does not). */
  readonly lineNumber?: number;
}

/** A line that made an alert fire, as written into ALERT_FIRED's `evidence` (matches alertEvidenceSchema). */
export interface Evidence {
  readonly file: string;
  readonly line?: number;
  readonly event_type: string;
  readonly ts: string;
  readonly id?: string;
  readonly value?: unknown;
}

export type Severity = 'warning' | 'critical';

/** A firing: what the rule asked for, with the id its resolution will share. */
export interface AlertFired extends FireRequest {
  readonly kind: 'fired';
  readonly alertId: string;
}

export interface AlertResolved {
  readonly kind: 'resolved';
  readonly alertId: string;
  readonly rule: AlertRule;
  readonly subject: string;
  readonly message: string;
  readonly firedAt: number;
  readonly at: number;
}

export type AlertTransition = AlertFired | AlertResolved;

/**
 * Something an operator should find in the log that is not an alert: nothing to act on now, so it is
 * never notified (no webhook, no console), only written (the bot writes it as a LOG line).
 */
export interface AlertNote {
  readonly at: number;
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What a rule asks for; the engine's tracker turns it into a transition, or nothing while already firing. */
export interface FireRequest {
  readonly rule: AlertRule;
  readonly subject: string;
  readonly severity: Severity;
  readonly message: string;
  readonly evidence: readonly Evidence[];
  readonly nextCommand: string;
  /** When the condition became true (ms since epoch): a line's time, or a deadline that passed. */
  readonly at: number;
  /**
   * What the incident starts from, for its id (see `newAlertId`): the line that fired it
   * (`lineOrigin`), or for a deadline the line it counts from. Without it, `at` is used.
   */
  readonly origin?: string;
}

export interface ResolveRequest {
  readonly rule: AlertRule;
  readonly subject: string;
  readonly message: string;
  readonly at: number;
}

/** The id an evidence item carries: the most specific trace id of the line. */
export function evidenceOf(observation: Observation, value?: unknown): Evidence {
  const { line } = observation;
  const id = line.intent_id ?? line.decision_id ?? line.session_id;
  return {
    file: observation.file,
    ...(observation.lineNumber !== undefined ? { line: observation.lineNumber } : {}),
    event_type: line.event_type,
    ts: line.ts,
    id,
    ...(value !== undefined ? { value } : {}),
  };
}

/**
 * A line's identity in every reader: its session and seq. Not the file or line number: the bot's
 * own engine sees lines before they have a line number, and a rotation renames the file.
 */
export function lineOrigin(line: { readonly session_id: string; readonly seq: number }): string {
  return `${line.session_id}#${line.seq}`;
}

export function lineTime(line: { readonly ts: string }): number {
  return Date.parse(line.ts);
}
