import { AlertEngine } from './alert-engine.js';
import type { AlertOptions, AlertOptionsInput } from './alert-options.js';
import type { AlertFired, AlertTransition } from './alert-transition.js';
import { replayLogs, type LineProblemReport } from './log-replay.js';

export interface PastEvaluation {
  /** Every transition that would have happened, in time order. */
  readonly transitions: readonly AlertTransition[];
  /** Alerts still firing at `nowMs`. */
  readonly open: readonly AlertFired[];
  readonly linesRead: number;
}

/**
 * Runs the rules over the logs already written, as if they had been watched live: silences fire at
 * their deadline, and the clock finally advances to `nowMs`, so a session that stopped beating and
 * never wrote SESSION_END shows as dead, while a bot still beating right now does not.
 */
export async function evaluatePastLogs(
  logsDir: string,
  init: {
    readonly options?: AlertOptions | AlertOptionsInput;
    readonly sinceMs?: number;
    readonly nowMs: number;
    /** Each line that could not be used, as it is met: a log of garbage has millions, so none is kept here. */
    readonly onProblem?: (problem: LineProblemReport) => void;
  },
): Promise<PastEvaluation> {
  const engine = new AlertEngine(init.options !== undefined ? { options: init.options } : {});
  const transitions: AlertTransition[] = [];
  let linesRead = 0;
  const replay = replayLogs(logsDir, { ...(init.sinceMs !== undefined ? { sinceMs: init.sinceMs } : {}), onProblem: init.onProblem ?? (() => undefined) });
  for await (const observation of replay) {
    linesRead++;
    transitions.push(...engine.observe(observation));
  }
  transitions.push(...engine.advance(init.nowMs));
  return { transitions, open: engine.openAlerts(), linesRead };
}
