import type { EventInput } from '../recorder/events/catalog.js';
import type { BeatBoard } from './beat-board.js';

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
 * absorbs timer jitter and GC pauses, which are not hangs.
 */
export function eventLoopBlockedMs(board: BeatBoard, probeMs: number, now: number): number {
  const age = board.eventLoopAgeMs(now);
  return age > 2 * probeMs ? age : 0;
}

/**
 * The fields of one SHUTDOWN_HEARTBEAT, read from the shared beat board. The watchdog thread and
 * the main thread (for the heartbeat written as shutdown begins) both build it here, so the two
 * kinds of line can never disagree in shape.
 */
export function buildHeartbeat(board: BeatBoard, registry: HeartbeatRegistry, settings: HeartbeatSettings, now = Date.now()): HeartbeatFields {
  const names = new Map<number, string>();
  const threads: HeartbeatFields['registered_threads'] = [];
  let stalled = 0;
  for (const loop of registry.loops) {
    names.set(loop.index, loop.name);
    const reading = board.readLoop(loop.index, now);
    if (reading.state !== 'active') continue;
    const alive = reading.ageMs < loop.stallAfterMs;
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
    event_loop_blocked_ms: eventLoopBlockedMs(board, settings.eventLoopProbeMs, now),
    stats: {
      shutdown_requests: board.shutdownRequests(),
      heartbeats_logged: board.heartbeatsLogged(),
      beats_received: board.beatsTotal(),
      loops_registered: threads.length,
      loops_stalled: stalled,
      components_registered: registry.components.length,
    },
  };
}
