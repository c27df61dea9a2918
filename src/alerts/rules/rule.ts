import type { AlertRule } from '../../recorder/events/alert-events.js';
import type { EventType } from '../../recorder/events/catalog.js';
import type { AlertTracker } from '../alert-tracker.js';
import type { Observation } from '../alert-transition.js';

/** One alert rule: reacts to the lines it watches and to time passing. Pure: no I/O, no clock of its own. */
export interface RuleEvaluator {
  readonly rule: AlertRule;
  /** Event types this rule reads; the engine skips the rest (the bot's hot path parses nothing else). */
  readonly watches: ReadonlySet<EventType>;
  observe(observation: Observation, tracker: AlertTracker): void;
  /** Time is now `nowMs` (ms since epoch); deadlines that passed fire or resolve at their own time. */
  advance(nowMs: number, tracker: AlertTracker): void;
}
