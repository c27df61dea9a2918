import type { EventInput } from '../recorder/events/catalog.js';
import type { BeatBoard } from './beat-board.js';
import type { PauseReading } from './pause-tracker.js';

/** What both threads know about a loop: its board slot and the promise it made. */
export interface LoopInfo {
  readonly index: number;
  readonly name: string;
  readonly daemon: boolean;
  readonly periodMs: number;
  /** Alive while its last beat is younger than this. */
  readonly stallAfterMs: number;
}

export interface HeartbeatRegistry {
  readonly components: readonly string[];
  readonly loops: readonly LoopInfo[];
}

export interface HeartbeatSettings {
  /** How many of the latest beats `recent_heartbeats` lists. */
  readonly recentBeats: number;
  /** Period of the main thread's event-loop probe timer. */
  readonly eventLoopProbeMs: number;
}

export type HeartbeatFields = Omit<EventInput<'SHUTDOWN_HEARTBEAT'>, 'trigger'>;

const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * Reports the main event loop as blocked once its probe is two periods late: one period of slack
 * absorbs timer jitter and GC pauses, which are not hangs. The time the whole process was not
 * running (`pauses`, seen by the watchdog thread) is left out: after a SIGSTOP of 99 s the first
 * heartbeat, written before the main thread's probe timer got its turn, reported a 99 s blocked
 * loop, and the next equal pause, when the probe ran first, 0.
 */
export function eventLoopBlockedMs(board: BeatBoard, probeMs: number, now: number, pauses?: PauseReading): number {
  const age = board.eventLoopAgeMs(now);
  const running = age - (pauses?.pausedWithinMs(age) ?? 0);
  return running > 2 * probeMs ? Math.round(running) : 0;
}

/**
 * The fields of one SHUTDOWN_HEARTBEAT, read from the shared beat board. The watchdog thread and
 * the main thread (for the heartbeat written as shutdown begins) both build it here, so the two
 * kinds of line can never disagree in shape.
 *
 * `pauses` (the watchdog thread's; the main thread cannot see its own stops) judges each loop and
 * the event loop by the time the process ran: a loop silent only because the process was stopped
 * is alive (its `last_beat_age_s` stays the real age), and `stats` says how long the process was
 * not running since the previous heartbeat (`paused_ms`) and how often that happened (`pauses`).
 */
export function buildHeartbeat(board: BeatBoard, registry: HeartbeatRegistry, settings: HeartbeatSettings, now = Date.now(), pauses?: PauseReading): HeartbeatFields {
  const names = new Map<number, string>();
  const threads: HeartbeatFields['registered_threads'] = [];
  let stalled = 0;
  for (const loop of registry.loops) {
    names.set(loop.index, loop.name);
    const reading = board.readLoop(loop.index, now);
    if (reading.state !== 'active') continue;
    const alive = reading.ageMs - (pauses?.pausedWithinMs(reading.ageMs) ?? 0) < loop.stallAfterMs;
    if (!alive) stalled++;
    threads.push({
      name: loop.name,
      alive,
      daemon: loop.daemon,
      last_beat_age_s: reading.beats === 0 ? null : seconds(reading.ageMs),
      period_s: seconds(loop.periodMs),
    });
  }
  const recent = board.recentBeats(settings.recentBeats, now).map((beat) => ({
    name: names.get(beat.index) ?? `loop#${beat.index}`,
    ts: new Date(now - beat.ageMs).toISOString(),
  }));
  return {
    registered_components: [...registry.components],
    registered_threads: threads,
    recent_heartbeats: recent,
    last_heartbeat_age_s: seconds(board.lastBeatAgeMs(now)),
    shutdown_requested: board.shutdownRequested(),
    event_loop_blocked_ms: eventLoopBlockedMs(board, settings.eventLoopProbeMs, now, pauses),
    stats: {
      shutdown_requests: board.shutdownRequests(),
      heartbeats_logged: board.heartbeatsLogged(),
      beats_received: board.beatsTotal(),
      loops_registered: threads.length,
      loops_stalled: stalled,
      components_registered: registry.components.length,
      ...(pauses ? { paused_ms: Math.round(pauses.sinceHeartbeatMs), pauses: pauses.count } : {}),
    },
  };
}
