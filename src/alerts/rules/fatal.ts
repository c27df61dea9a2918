import type { EventType } from '../../recorder/events/catalog.js';
import type { AlertTracker } from '../alert-tracker.js';
import { evidenceOf, lineTime, type Observation } from '../alert-transition.js';
import type { RuleEvaluator } from './rule.js';

/**
 * `fatal`: a FATAL line fires for its session. The incident is over once the bot runs again, so a
 * SESSION_START of another session resolves it.
 */
export class FatalRule implements RuleEvaluator {
  readonly rule = 'fatal' as const;
  readonly watches: ReadonlySet<EventType> = new Set<EventType>(['FATAL', 'SESSION_START']);
  private readonly firing = new Set<string>();

  observe(observation: Observation, tracker: AlertTracker): void {
    const { line } = observation;
    if (line.event_type === 'FATAL') {
      const sessionId = line.session_id;
      tracker.fire({
        rule: this.rule,
        subject: sessionId,
        severity: 'critical',
        message: `FATAL in ${sessionId} (${line.origin}): ${line.error_code}: ${line.message}`,
        evidence: [evidenceOf(observation, { origin: line.origin, error_code: line.error_code, message: line.message })],
        nextCommand: `tradetrace health --session ${sessionId}`,
        at: lineTime(line),
      });
      this.firing.add(sessionId);
    } else if (line.event_type === 'SESSION_START') {
      for (const sessionId of this.firing) {
        if (sessionId === line.session_id) continue;
        tracker.resolve({ rule: this.rule, subject: sessionId, message: `bot restarted as ${line.session_id}`, at: lineTime(line) });
        this.firing.delete(sessionId);
      }
    }
  }

  advance(): void {
    // A FATAL is a fact in the log: time passing neither raises nor clears it.
  }
}
