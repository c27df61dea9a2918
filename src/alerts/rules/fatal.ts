import type { EventType } from '../../recorder/events/catalog.js';
import type { AlertTracker } from '../alert-tracker.js';
import { evidenceOf, lineOrigin, lineTime, type Observation } from '../alert-transition.js';
import type { RuleEvaluator } from './rule.js';

/**
 * `fatal`: a FATAL line fires for its session. The incident is over once the bot runs again: a
 * session started after it shows it runs (it opened the state database, beat, or ended other than
 * refused). A SESSION_START alone is not enough: a start refused for the very cause of the FATAL
 * (a damaged file, the data directory held) must not clear it.
 */
export class FatalRule implements RuleEvaluator {
  readonly rule = 'fatal' as const;
  readonly watches: ReadonlySet<EventType> = new Set<EventType>(['FATAL', 'SESSION_START', 'STATE_RECOVERED', 'SHUTDOWN_HEARTBEAT', 'SESSION_END']);
  /** Firing sessions, with the time of their FATAL. */
  private readonly firing = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();

  observe(observation: Observation, tracker: AlertTracker): void {
    const { line } = observation;
    const at = lineTime(line);
    switch (line.event_type) {
      case 'FATAL': {
        const sessionId = line.session_id;
        tracker.fire({
          rule: this.rule,
          subject: sessionId,
          severity: 'critical',
          message: `FATAL in ${sessionId} (${line.origin}): ${line.error_code}: ${line.message}`,
          evidence: [evidenceOf(observation, { origin: line.origin, error_code: line.error_code, message: line.message })],
          nextCommand: `tradetrace health --session ${sessionId}`,
          at,
          origin: lineOrigin(line),
        });
        this.firing.set(sessionId, at);
        return;
      }
      case 'SESSION_START':
        this.startedAt.set(line.session_id, at);
        return;
      case 'SESSION_END':
        if (line.reason !== 'refused') this.runs(line.session_id, tracker, at);
        this.startedAt.delete(line.session_id);
        return;
      case 'STATE_RECOVERED':
      case 'SHUTDOWN_HEARTBEAT':
        this.runs(line.session_id, tracker, at);
        return;
      default:
    }
  }

  /** `sessionId` runs: every FATAL before its start is over. */
  private runs(sessionId: string, tracker: AlertTracker, at: number): void {
    if (this.firing.size === 0) return;
    const started = this.startedAt.get(sessionId);
    if (started === undefined) return;
    for (const [fatalSession, fatalAt] of this.firing) {
      if (fatalSession === sessionId || fatalAt > started) continue;
      tracker.resolve({ rule: this.rule, subject: fatalSession, message: `bot restarted as ${sessionId}`, at });
      this.firing.delete(fatalSession);
    }
  }

  advance(): void {
    // A FATAL is a fact in the log: time passing neither raises nor clears it.
  }
}
