import type { Channel } from '../recorder/channels.js';
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
  /** The channels whose lines were read. */
  readonly channels: readonly Channel[];
}

/** The channels a past evaluation with these options reads (see AlertEngine.watchedChannels). */
export function pastChannels(options?: AlertOptions | AlertOptionsInput): Channel[] {
  return new AlertEngine(options !== undefined ? { options } : {}).watchedChannels();
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
    /** Channels to read (default: those holding a type some rule reads, see AlertEngine.watchedChannels). */
    readonly channels?: readonly Channel[];
    /**
     * The pid of a session's process when a signal has stopped it now (see process-probe's
     * stoppedPid), else null: asked, before the clock advances to `nowMs`, of each session still
     * expected to beat, so a silence firing then says it is that stop.
     */
    readonly stoppedPid?: (sessionId: string) => number | null;
  },
): Promise<PastEvaluation> {
  const engine = new AlertEngine(init.options !== undefined ? { options: init.options } : {});
  const transitions: AlertTransition[] = [];
  let linesRead = 0;
  const channels = init.channels ?? engine.watchedChannels();
  const replay = replayLogs(logsDir, { ...(init.sinceMs !== undefined ? { sinceMs: init.sinceMs } : {}), onProblem: init.onProblem ?? (() => undefined), channels });
  for await (const observation of replay) {
    linesRead++;
    transitions.push(...engine.observe(observation));
  }
  const stoppedPid = init.stoppedPid;
  if (stoppedPid) for (const sessionId of engine.watchedSessions()) engine.processStopped(sessionId, stoppedPid(sessionId));
  transitions.push(...engine.advance(init.nowMs));
  return { transitions, open: engine.openAlerts(), linesRead, channels };
}
