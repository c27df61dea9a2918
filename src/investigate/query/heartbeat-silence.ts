import type { LocatedEvent } from './find-events.js';

/**
 * What the heartbeat that ended a silence says of it:
 * - `process_stopped`: its `stats.paused_ms` covers most of the silence: the whole process was not
 *   running (SIGSTOP, Ctrl-Z, a debugger, a suspended machine), the watchdog thread included;
 * - `watchdog_silent`: its `stats.paused_ms` says the process ran, yet its watchdog wrote nothing
 *   (it could not write its log, or it was stuck itself);
 * - `not_told`: a heartbeat without `stats.paused_ms` (a bot from before it was written): the
 *   silence alone says the watchdog thread did not write, but not whether the process was stopped.
 */
export type SilenceCause = 'process_stopped' | 'watchdog_silent' | 'not_told';

/** The session's longest time without a heartbeat, when it outlasted the stall deadline. */
export interface HeartbeatSilence {
  /** The heartbeat the silence followed (SESSION_START, before the first heartbeat). */
  readonly before: LocatedEvent;
  /** The heartbeat that ended it. */
  readonly after: LocatedEvent;
  readonly seconds: number;
  /** runtime.stall_multiple x the heartbeat interval: a silence longer than this is a stall. */
  readonly deadlineS: number;
  /** `stats.paused_ms` of the heartbeat after it; null when that heartbeat does not say. */
  readonly pausedMs: number | null;
  /** `event_loop_blocked_ms` of the heartbeat after it. */
  readonly eventLoopBlockedMs: number;
  /** The loops the heartbeat after it reported not alive. */
  readonly deadLoops: readonly string[];
  readonly cause: SilenceCause;
}

function pausedMsOf(e: LocatedEvent): number | null {
  if (e.event.event_type !== 'SHUTDOWN_HEARTBEAT') return null;
  const paused = e.event.stats['paused_ms'];
  return typeof paused === 'number' && Number.isFinite(paused) ? paused : null;
}

/**
 * The longest gap between one heartbeat (or the session's start) and the next, in written order,
 * when it exceeded `stallMultiple` x `intervalS`: null when none did or the interval is unknown.
 * A gap between heartbeats means the watchdog thread, which writes on its own timer even while the
 * main thread hangs, did not write: once the bot ran again (or ended), `health` said RUNNING or
 * ENDED CLEANLY with nothing of it.
 */
export function longestSilence(start: LocatedEvent | undefined, heartbeats: readonly LocatedEvent[], intervalS: number | null, stallMultiple: number): HeartbeatSilence | null {
  if (intervalS === null || heartbeats.length === 0) return null;
  const deadlineS = intervalS * stallMultiple;
  const marks = start ? [start, ...heartbeats] : heartbeats;
  let longest: { before: LocatedEvent; after: LocatedEvent; seconds: number } | null = null;
  for (let i = 1; i < marks.length; i++) {
    const before = marks[i - 1];
    const after = marks[i];
    if (!before || !after) continue;
    const seconds = (Date.parse(after.event.ts) - Date.parse(before.event.ts)) / 1000;
    if (Number.isFinite(seconds) && seconds > deadlineS && (!longest || seconds > longest.seconds)) longest = { before, after, seconds };
  }
  if (!longest) return null;
  const after = longest.after.event;
  const pausedMs = pausedMsOf(longest.after);
  const unexplainedS = longest.seconds - intervalS;
  const cause: SilenceCause = pausedMs === null ? 'not_told' : pausedMs / 1000 >= unexplainedS / 2 ? 'process_stopped' : 'watchdog_silent';
  return {
    ...longest,
    deadlineS,
    pausedMs,
    eventLoopBlockedMs: after.event_type === 'SHUTDOWN_HEARTBEAT' ? after.event_loop_blocked_ms : 0,
    deadLoops: after.event_type === 'SHUTDOWN_HEARTBEAT' ? after.registered_threads.filter((t) => !t.alive).map((t) => t.name) : [],
    cause,
  };
}
