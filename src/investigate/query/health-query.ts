import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loggedHeartbeatSettings } from './logged-heartbeat-settings.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { findEvents, type LocatedEvent, type SearchStats } from './find-events.js';
import { longestSilence, type HeartbeatSilence } from './heartbeat-silence.js';
import { lastSessionLine, sessionLastLines, tornTail, type SessionLine } from './last-line.js';
import { readManifests, type LogSet, type SessionManifest } from './log-set.js';
import { manifestFailure, refusedInManifests, type ManifestFailure } from './manifest-failure.js';
import { processState, runsHere, type ProcessState } from './session-process.js';
import { tornSessionLine } from './session-torn-line.js';
import { lineNumberAt, type SkippedLine, type SkippedLines } from './skipped-lines.js';

export type { ProcessState } from './session-process.js';
export type { HeartbeatSilence, SilenceCause } from './heartbeat-silence.js';

export interface LoopState {
  readonly name: string;
  readonly alive: boolean;
  readonly lastBeatAgeS: number | null;
  /** For a dead loop: when it last beat (heartbeat ts minus its age), from the first heartbeat that saw it dead. */
  readonly lastBeatAt: string | null;
  readonly firstSeenDead: string | null;
}

/**
 * `running`: no end, and the manifest's pid runs on this host (not a reused pid, as far as can be
 * told). `shutdown_unended`: SHUTDOWN_COMPLETE but no SESSION_END: killed while ending.
 */
export type HealthVerdict = 'ended_cleanly' | 'ended_with_error' | 'forced' | 'refused' | 'died_fatal' | 'died_torn' | 'hung' | 'running' | 'shutdown_unended' | 'killed_while_stopping' | 'no_clean_end';

export interface HealthReport {
  readonly sessionId: string;
  readonly manifest: SessionManifest | undefined;
  readonly start: LocatedEvent | undefined;
  readonly end: LocatedEvent | undefined;
  readonly complete: LocatedEvent | undefined;
  /** The session's last SHUTDOWN_REQUESTED: a stop had begun (a signal, the data's end, the duration). */
  readonly requested: LocatedEvent | undefined;
  readonly fatal: LocatedEvent | undefined;
  readonly heartbeats: number;
  /** Of `heartbeats`, those the watchdog wrote on its interval (`trigger: "interval"`), not at shutdown. */
  readonly periodicHeartbeats: number;
  readonly lastHeartbeat: LocatedEvent | undefined;
  /**
   * Seconds between heartbeats: the configured interval, or, for a session whose config does not
   * name it, the typical gap between the periodic heartbeats (`periodFrom` says which); null when
   * neither is known.
   */
  readonly periodS: number | null;
  readonly periodFrom: 'heartbeats' | 'config' | null;
  /**
   * The typical gap between the periodic heartbeats (the lower median: one long silence among two
   * gaps is not the interval); null with fewer than two of them.
   */
  readonly observedPeriodS: number | null;
  /** runtime.stall_multiple of the session's config (3, its default, when the config does not name it). */
  readonly stallMultiple: number;
  /** The longest silence between heartbeats, when it outlasted stall_multiple x the interval. */
  readonly longestSilence: HeartbeatSilence | null;
  readonly loops: LoopState[];
  readonly lastLine: SessionLine | null;
  readonly torn: SkippedLine | undefined;
  readonly verdict: HealthVerdict;
  readonly process: ProcessState | undefined;
  /** Sessions started after this one that were refused before trading (the default skips them), with why. */
  readonly laterRefused: readonly RefusedStart[];
  /**
   * Why it failed, from its manifest, for a session with no SESSION_END: a start refused because its
   * logs could not be opened (logs/ not writable) could record it nowhere else.
   */
  readonly manifestFailure: ManifestFailure | undefined;
  /** runtime.heartbeat_interval of the session's config (sessions/<id>/config.json, or its CONFIG_HASH line), in ms. */
  readonly heartbeatIntervalMs: number | null;
  /** When the watchdog's first interval heartbeat was due: the start plus the interval. */
  readonly firstHeartbeatDue: string | null;
}

interface ThreadRow {
  name: string;
  alive: boolean;
  last_beat_age_s: number | null;
}

function threadsOf(e: LocatedEvent): ThreadRow[] {
  return e.event.event_type === 'SHUTDOWN_HEARTBEAT' ? e.event.registered_threads : [];
}

/** A session refused before it traded, and the reason its SESSION_END (else its manifest) gave. */
export interface RefusedStart {
  readonly sessionId: string;
  readonly errorCode: string | undefined;
  readonly message: string | undefined;
}

export async function checkHealth(set: LogSet, session: string | undefined, skipped: SkippedLines, stats: SearchStats): Promise<HealthReport | null> {
  const events = await findEvents(set, eventNeedles(['SHUTDOWN_HEARTBEAT', 'SHUTDOWN_REQUESTED', 'SHUTDOWN_COMPLETE', 'FATAL', 'SESSION_START', 'SESSION_END', 'CONFIG_HASH']), { files: filesOf(set, ['system', 'audit']), skipped, stats });
  const refused = new Map<string, RefusedStart>();
  for (const { event } of events) {
    if (event.event_type === 'SESSION_END' && event.reason === 'refused') refused.set(event.session_id, { sessionId: event.session_id, errorCode: event.error_code, message: event.message });
  }
  const manifests = readManifests(set.dataDir);
  // A start refused because it could not open its logs wrote no line at all: only its manifest says
  // it was refused, and why. Without it, health named the session before as the latest, ended cleanly.
  const refusedUnlogged = refusedInManifests(manifests).filter((id) => !refused.has(id));
  for (const id of refusedUnlogged) {
    const failure = manifestFailure(manifests.get(id));
    refused.set(id, { sessionId: id, errorCode: failure?.code, message: failure?.message });
  }
  // In the order the sessions started (their manifests' sequence; 0 where there is none, keeping the
  // logs' order): after the clock was set back, the latest stamp is not the latest session.
  const startOrder = (sessionId: string): number => manifests.get(sessionId)?.sequence ?? 0;
  const logged = new Set(events.filter((e) => e.event.event_type === 'SESSION_START').map((e) => e.event.session_id));
  const started = [...logged, ...refusedUnlogged.filter((id) => !logged.has(id))].sort((a, b) => startOrder(a) - startOrder(b));
  // A refused start (another bot held the data dir) is not the bot an operator asks about: the
  // default is the latest session that got past its start, and the refusals after it are named.
  const sessionId = session ?? [...started].reverse().find((id) => !refused.has(id)) ?? started.at(-1) ?? events[events.length - 1]?.event.session_id;
  if (!sessionId) return null;
  const laterRefused = session === undefined ? started.slice(started.lastIndexOf(sessionId) + 1).flatMap((id) => refused.get(id) ?? []) : [];
  // In written order (seq, one counter shared by the main and watchdog threads), not by ts: after
  // the wall clock stepped back, the last heartbeat by ts was the last one before the step, and the
  // later ones, reporting stopped loops, were hidden. Last and first below mean written last and first.
  const mine = events.filter((e) => e.event.session_id === sessionId).sort((a, b) => a.event.seq - b.event.seq);
  const of = (type: string) => mine.filter((e) => e.event.event_type === type);
  const heartbeats = of('SHUTDOWN_HEARTBEAT');
  const lastHeartbeat = heartbeats[heartbeats.length - 1];
  // The heartbeat written as shutdown begins comes whenever the signal did, seconds after the last
  // periodic one: counted in, a short session's "interval" was that gap, not the watchdog's.
  const periodic = heartbeats.filter((e) => e.event.event_type === 'SHUTDOWN_HEARTBEAT' && e.event.trigger === 'interval');
  const intervals = periodic.slice(1).map((e, i) => (Date.parse(e.event.ts) - Date.parse(periodic[i]?.event.ts ?? e.event.ts)) / 1000).sort((a, b) => a - b);
  const configEvent = of('CONFIG_HASH')[0]?.event;
  const runtime = runtimeConfig(set.dataDir, sessionId, configEvent?.event_type === 'CONFIG_HASH' ? configEvent.config : undefined);
  const heartbeatIntervalMs = runtime.intervalMs;
  // The lower median: with two gaps, a 5 s one and the 45 s one a SIGSTOP made, the upper median
  // called the interval 45 s, while the same output said heartbeats came every 5 s.
  const observedS = intervals.length > 0 ? (intervals[Math.floor((intervals.length - 1) / 2)] ?? null) : null;
  // The configured interval is the interval: the gaps measure how the watchdog kept to it.
  const periodS = heartbeatIntervalMs !== null ? heartbeatIntervalMs / 1000 : observedS;
  const periodFrom = heartbeatIntervalMs !== null ? 'config' : observedS !== null ? 'heartbeats' : null;
  const loops: LoopState[] = (lastHeartbeat ? threadsOf(lastHeartbeat) : []).map((t) => {
    let firstSeenDead: LocatedEvent | undefined;
    // Walk back to the first heartbeat of the current dead streak.
    for (let i = heartbeats.length - 1; i >= 0; i--) {
      const hb = heartbeats[i];
      const row = hb ? threadsOf(hb).find((r) => r.name === t.name) : undefined;
      if (!hb || !row || row.alive) break;
      firstSeenDead = hb;
    }
    const row = firstSeenDead ? threadsOf(firstSeenDead).find((r) => r.name === t.name) : undefined;
    const lastBeatAt = firstSeenDead && row?.last_beat_age_s != null ? new Date(Date.parse(firstSeenDead.event.ts) - row.last_beat_age_s * 1000).toISOString() : null;
    return { name: t.name, alive: t.alive, lastBeatAgeS: t.last_beat_age_s, lastBeatAt: t.alive ? null : lastBeatAt, firstSeenDead: t.alive ? null : (firstSeenDead?.event.ts ?? null) };
  });
  for (const file of set.files) {
    const tail = tornTail(file, set.sizes.get(file.path) ?? 0);
    if (tail) skipped.add({ file, offset: tail.offset, code: 'truncated', message: 'the file ends inside this line (writer killed mid-write?)', excerpt: tail.text.slice(0, 120) });
  }
  const lasts = sessionLastLines(set, sessionId);
  const lastLine = lastSessionLine(set, sessionId, lasts);
  // A torn tail belongs to this session when it names it, or when its file's last whole line is this session's.
  const tornAll = skipped.withCode('truncated');
  let torn = tornAll.find((s) => s.excerpt.includes(`"session_id":"${sessionId}"`)) ?? (lastLine ? tornAll.find((s) => s.file.path === lastLine?.file) : undefined);
  if (!torn && of('SESSION_END').length === 0 && of('FATAL').length === 0) {
    // Killed mid-write, then restarted: the torn line is no longer its file's tail, but it is still the evidence.
    torn = await tornSessionLine(set, lasts);
    if (torn) skipped.add(torn);
  }
  if (torn) torn.lineNumber ??= await lineNumberAt(torn.file, torn.offset);
  const end = of('SESSION_END').pop();
  const fatal = of('FATAL').pop();
  const complete = of('SHUTDOWN_COMPLETE').pop();
  const requested = of('SHUTDOWN_REQUESTED').pop();
  const start = of('SESSION_START')[0];
  const silence = longestSilence(start, heartbeats, periodS, runtime.stallMultiple);
  const dead = loops.filter((l) => !l.alive);
  const endEvent = end?.event;
  const manifest = manifests.get(sessionId);
  const startedTs = start?.event.ts ?? manifest?.start ?? undefined;
  // Only a session that did not end can still run: its pid is checked on its own host.
  const proc = endEvent || manifest?.end ? undefined : processState(manifest, startedTs);
  const running = runsHere(proc);
  const verdict: HealthVerdict = endEvent?.event_type === 'SESSION_END'
    ? (endEvent.reason === 'refused' ? 'refused' : endEvent.exit_code === 0 ? 'ended_cleanly' : endEvent.error_code === 'shutdown_forced' ? 'forced' : 'ended_with_error')
    : manifest?.exit_reason === 'refused' ? 'refused'
    : fatal ? 'died_fatal'
      // A running bot: a torn tail is the line being written, a SHUTDOWN_COMPLETE the end coming.
      : running ? (dead.length > 0 ? 'hung' : 'running')
        // Killed while stopping (a supervisor's stop timeout shorter than the shutdown): not a crash out of the blue.
        : complete ? 'shutdown_unended' : requested ? 'killed_while_stopping' : torn ? 'died_torn' : dead.length > 0 ? 'hung' : 'no_clean_end';
  const firstHeartbeatDue = startedTs && heartbeatIntervalMs !== null && Number.isFinite(Date.parse(startedTs)) ? new Date(Date.parse(startedTs) + heartbeatIntervalMs).toISOString() : null;
  return {
    sessionId, manifest, start, end, complete, requested, fatal,
    heartbeats: heartbeats.length, periodicHeartbeats: periodic.length, lastHeartbeat, periodS, periodFrom, observedPeriodS: observedS, stallMultiple: runtime.stallMultiple, longestSilence: silence, loops, lastLine, torn, verdict,
    process: endEvent ? undefined : proc, laterRefused, manifestFailure: endEvent ? undefined : manifestFailure(manifest), heartbeatIntervalMs, firstHeartbeatDue,
  };
}

/** runtime.stall_multiple's default (src/config/sections/runtime.ts), for a config that does not name it. */
const DEFAULT_STALL_MULTIPLE = 3;

interface RuntimeConfig {
  readonly intervalMs: number | null;
  readonly stallMultiple: number;
}

function runtimeOf(config: unknown): RuntimeConfig | null {
  const { intervalMs, stallMultiple } = loggedHeartbeatSettings(config);
  return intervalMs === undefined ? null : { intervalMs, stallMultiple: stallMultiple ?? DEFAULT_STALL_MULTIPLE };
}

/** The session's heartbeat settings: sessions/<id>/config.json, else the config its CONFIG_HASH line logged. */
function runtimeConfig(dataDir: string, sessionId: string, logged: unknown): RuntimeConfig {
  try {
    const fromFile = runtimeOf(JSON.parse(readFileSync(join(dataDir, 'sessions', sessionId, 'config.json'), 'utf8')) as unknown);
    if (fromFile !== null) return fromFile;
  } catch {
    // No config.json (an older session, or logs copied without it): the logged config says.
  }
  return runtimeOf(logged) ?? { intervalMs: null, stallMultiple: DEFAULT_STALL_MULTIPLE };
}
