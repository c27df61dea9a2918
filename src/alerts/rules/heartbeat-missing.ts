import { loggedHeartbeatSettings, type LoggedHeartbeatSettings } from '../../investigate/query/logged-heartbeat-settings.js';
import { stoppedBySignal } from '../../investigate/query/session-process.js';
import type { EventLine, EventType } from '../../recorder/events/catalog.js';
import type { AlertOptions } from '../alert-options.js';
import type { AlertTracker } from '../alert-tracker.js';
import { evidenceOf, lineOrigin, lineTime, type AlertNote, type Evidence, type FireRequest, type Observation } from '../alert-transition.js';
import type { RuleEvaluator } from './rule.js';

const RULE = 'heartbeat_missing' as const;
/**
 * Gaps remembered to learn the interval. Their median is the interval: one long gap (a hang) does not
 * stretch the interval it is judged by, and one short gap (a late beat then a punctual one) does not shrink it.
 */
const GAPS_KEPT = 8;
/**
 * Sessions that wrote SESSION_END, remembered so a heartbeat of theirs read later is ignored: the
 * watchdog thread can write one after SESSION_END (a forced exit does not wait for it; a shutdown can
 * race its start). Oldest forgotten first; a late beat comes within seconds, not thousands of sessions.
 */
const ENDED_KEPT = 1000;
/**
 * The watchdog thread writes heartbeats on its own timer, punctual to milliseconds even while the
 * main thread hangs. A heartbeat later than this (a quarter of the interval, at least 1 s) means
 * that thread was stopped too: the whole process was (SIGSTOP, a suspended machine, a debugger).
 */
const freezeLatenessMs = (intervalMs: number): number => Math.max(1000, intervalMs / 4);

/** The whole process stopped, seen on the heartbeat that followed: the loops it silenced, and for how long. */
interface Freeze {
  /** Loops reported not alive whose silence the freeze explains. */
  readonly loops: ReadonlySet<string>;
  readonly gapS: number;
  /** About how long everything was stopped: the shortest silence of those loops, within the watchdog's gap. */
  readonly frozenS: number;
  readonly intervalS: number;
}

interface SessionWatch {
  readonly sessionId: string;
  readonly startedAt: number;
  /** Start of the silence being measured: the last heartbeat, or the session start before any heartbeat. */
  lastBeatAt: number;
  lastEvidence: Evidence;
  /** `lineOrigin` of that heartbeat (or start): a silence after it is one incident, whoever reports it. */
  lastOrigin: string;
  lastIntervalBeatAt: number | null;
  readonly gapsMs: number[];
  readonly openLoops: Set<string>;
  silent: boolean;
  /** A freeze alert (subject = the session) is open: the next heartbeat resolves it. */
  frozen: boolean;
  /**
   * A later session that started on the data directory and may be this one's restart: until it
   * shows it runs, or is refused, this one's silence does not fire (see `hold`).
   */
  heldBy: { readonly sessionId: string; readonly since: number } | undefined;
  /**
   * The observer (the bot's own alerts) was itself stopped over this span, so it could not watch this
   * session's heartbeat then (see `observerStopped`). Cleared by the first heartbeat after it, or once
   * the grace after it is over.
   */
  observerStopped: { readonly from: number; readonly to: number } | undefined;
  /**
   * The pid of the session's process when the caller last saw it stopped by a signal (see
   * `processStopped`): a silence then is that stop, not a hang or a death, and says how to end it.
   */
  stoppedPid: number | undefined;
}

/**
 * `heartbeat_missing`, subject = the session (or `<session>/<loop>` for one loop):
 * - no SHUTDOWN_HEARTBEAT for longer than `missingFactor` intervals (checked as time passes);
 * - a heartbeat that reports a loop `alive: false`, unless the whole process was stopped (see `freezeOf`):
 *   that is one incident, reported once for the session (a `warning`, or in the silence's resolution);
 * - the session's process is gone without a SESSION_END (the watcher reports it via `sessionGone`).
 * A heartbeat resolves a silence alert and `alive: true` a loop alert; SESSION_END resolves all of the
 * session's alerts. A session without SESSION_END is superseded by a later session on the data
 * directory once that one runs (see `hold` and `supersede`): its alerts, firing or pending, resolve.
 */
export class HeartbeatMissingRule implements RuleEvaluator {
  readonly rule = RULE;
  readonly watches: ReadonlySet<EventType> = new Set<EventType>(['CONFIG_HASH', 'SESSION_START', 'STATE_RECOVERED', 'SESSION_END', 'SHUTDOWN_HEARTBEAT']);
  private readonly sessions = new Map<string, SessionWatch>();
  /**
   * Each session's own heartbeat settings, from its CONFIG_HASH line (the bot writes it before
   * SESSION_START). Forgotten with the session; at most ENDED_KEPT kept, oldest forgotten first, for
   * the starts that never come (a line cut off by --since).
   */
  private readonly configured = new Map<string, LoggedHeartbeatSettings>();
  private readonly ended = new Set<string>();
  private notes: AlertNote[] = [];

  constructor(private readonly options: AlertOptions['heartbeat']) {}

  /**
   * The interval the session is judged by, in ms: the one given for all, else the session's own
   * runtime.heartbeat_interval from its first line on, else learned from its heartbeats (the default
   * until two were seen). Learned gaps only ever shorten a configured interval: a watchdog that beat
   * late must not push the deadline past what the bot was configured to keep.
   */
  intervalMs(sessionId: string): number {
    if (this.options.intervalS !== null) return this.options.intervalS * 1000;
    const configured = this.configured.get(sessionId)?.intervalMs;
    const gaps = this.sessions.get(sessionId)?.gapsMs ?? [];
    const sorted = [...gaps].sort((a, b) => a - b);
    const learned = sorted[Math.floor(sorted.length / 2)];
    if (configured !== undefined) return learned === undefined ? configured : Math.min(configured, learned);
    return learned ?? this.options.defaultIntervalS * 1000;
  }

  /** How many intervals of silence the session is allowed: its own config's multiple when the options defer to it. */
  private missingFactor(sessionId: string): number {
    const own = this.options.factorFromSession ? this.configured.get(sessionId)?.missingMultiple : undefined;
    return own ?? this.options.missingFactor;
  }

  /** The shortest interval of any watched session: how often a caller should advance the clock. */
  shortestIntervalMs(): number {
    let shortest = this.options.intervalS !== null ? this.options.intervalS * 1000 : this.options.defaultIntervalS * 1000;
    for (const id of this.sessions.keys()) shortest = Math.min(shortest, this.intervalMs(id));
    return shortest;
  }

  watchedSessions(): string[] {
    return [...this.sessions.keys()];
  }

  /**
   * The observer was stopped from `fromMs` to `toMs`: in the bot, its own process (SIGSTOP, a suspended
   * machine, a debugger) or its event loop. A silence whose deadline passed meanwhile was the
   * watcher's to report, live; the bot, resuming, cannot yet tell its own stop from a dead watchdog,
   * since the watchdog thread resumes with it and beats only when its overdue timer runs. So such a
   * silence fires only if no heartbeat comes within one interval of the resume; a heartbeat in that
   * time ends it as a note (the incident's id, for the watcher's alert), not a late alert about an
   * incident that is over.
   */
  observerStopped(fromMs: number, toMs: number): void {
    for (const watch of this.sessions.values()) {
      if (watch.silent || watch.heldBy !== undefined) continue;
      // Two stops before the next beat: the deadline may lie in either.
      watch.observerStopped = { from: Math.min(watch.observerStopped?.from ?? fromMs, fromMs), to: toMs };
    }
  }

  /**
   * What the caller (the watcher, probing /proc on the session's host) sees of the session's process
   * now: `pid` when a signal stopped it, null when it is not stopped (runs, or cannot be told). A
   * silence that fires meanwhile names the stop and the `kill -CONT` that ends it.
   */
  processStopped(sessionId: string, pid: number | null): void {
    const watch = this.sessions.get(sessionId);
    if (watch) watch.stoppedPid = pid ?? undefined;
  }

  takeNotes(): AlertNote[] {
    const out = this.notes;
    this.notes = [];
    return out;
  }

  /** The silence deadline passed while the observer was stopped: it had no chance to see a heartbeat. */
  private missedWhileStopped(watch: SessionWatch, dueAt: number): boolean {
    const stop = watch.observerStopped;
    return stop !== undefined && dueAt > stop.from && dueAt <= stop.to;
  }

  observe(observation: Observation, tracker: AlertTracker): void {
    const { line } = observation;
    const at = lineTime(line);
    if (line.event_type === 'CONFIG_HASH') {
      if (!this.ended.has(line.session_id)) this.rememberConfigured(line.session_id, loggedHeartbeatSettings(line.config));
    } else if (line.event_type === 'SESSION_START') {
      this.hold(line.session_id, at);
      this.watch(line.session_id, at, evidenceOf(observation, { pid: line.pid, host: line.host }), lineOrigin(line));
    } else if (line.event_type === 'STATE_RECOVERED') {
      // It opened the state database, which a running session holds exclusively: it took over.
      const watch = this.sessions.get(line.session_id);
      if (watch) this.supersede(line.session_id, watch.startedAt, at, tracker);
    } else if (line.event_type === 'SESSION_END') {
      this.rememberEnded(line.session_id);
      const watch = this.sessions.get(line.session_id);
      if (!watch) return;
      // A refused start (the data directory held, bad input) replaced no one: the earlier session
      // it held is judged again. Any other end means it ran, so it did replace them.
      if (line.reason === 'refused') this.release(line.session_id);
      else this.supersede(line.session_id, watch.startedAt, at, tracker);
      const message = `session ended cleanly (${line.reason}, exit code ${line.exit_code})`;
      tracker.resolve({ rule: RULE, subject: line.session_id, message, at });
      for (const loop of watch.openLoops) tracker.resolve({ rule: RULE, subject: `${line.session_id}/${loop}`, message, at });
      this.forget(line.session_id);
    } else if (line.event_type === 'SHUTDOWN_HEARTBEAT') {
      this.heartbeat(observation, line, at, tracker);
    }
  }

  private rememberEnded(sessionId: string): void {
    this.ended.add(sessionId);
    if (this.ended.size <= ENDED_KEPT) return;
    const oldest = this.ended.values().next();
    if (oldest.done !== true) this.ended.delete(oldest.value);
  }

  private rememberConfigured(sessionId: string, configured: LoggedHeartbeatSettings): void {
    this.configured.set(sessionId, configured);
    if (this.configured.size <= ENDED_KEPT) return;
    const oldest = this.configured.keys().next();
    if (oldest.done !== true) this.configured.delete(oldest.value);
  }

  /** The session is over (ended, superseded): nothing of it is watched any more. */
  private forget(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.configured.delete(sessionId);
  }

  private watch(sessionId: string, at: number, evidence: Evidence, origin: string): SessionWatch {
    let watch = this.sessions.get(sessionId);
    if (!watch) {
      watch = { sessionId, startedAt: at, lastBeatAt: at, lastEvidence: evidence, lastOrigin: origin, lastIntervalBeatAt: null, gapsMs: [], openLoops: new Set(), silent: false, frozen: false, heldBy: undefined, observerStopped: undefined, stoppedPid: undefined };
      this.sessions.set(sessionId, watch);
    }
    return watch;
  }

  /**
   * A new session on the data directory (one bot per directory, as its state file enforces) is
   * usually the restart of any earlier session still without SESSION_END, killed and restarted
   * by a supervisor before its silence passed the deadline. But a start can also be refused
   * (SESSION_START then SESSION_END refused) while the earlier bot still runs, or hangs holding
   * the directory: superseding then would drop the very alert the operator needs. So the earlier
   * sessions are only held: their silence does not fire until the new session shows it runs
   * (`supersede`) or is refused (`release`).
   */
  private hold(newSessionId: string, startedAt: number): void {
    for (const watch of this.sessions.values()) {
      if (watch.sessionId !== newSessionId && watch.startedAt <= startedAt) watch.heldBy = { sessionId: newSessionId, since: startedAt };
    }
  }

  private release(refusedSessionId: string): void {
    for (const watch of this.sessions.values()) if (watch.heldBy?.sessionId === refusedSessionId) watch.heldBy = undefined;
  }

  /**
   * The new session runs (it opened the state database, beat, or ended other than refused): every
   * earlier session without SESSION_END that has not beaten since the new one started is over. Its
   * alerts resolve, firing or not, and it is no longer watched, so a pending silence never fires.
   */
  private supersede(newSessionId: string, startedAt: number, at: number, tracker: AlertTracker): void {
    for (const watch of this.sessions.values()) {
      // One that beat after the new session started is alive: not this restart's predecessor.
      if (watch.sessionId === newSessionId || watch.startedAt > startedAt || watch.lastBeatAt > startedAt) continue;
      const message = `superseded by session ${newSessionId}: the bot was restarted on this data directory, and ${watch.sessionId} wrote no SESSION_END`;
      tracker.resolve({ rule: RULE, subject: watch.sessionId, message, at });
      for (const loop of watch.openLoops) tracker.resolve({ rule: RULE, subject: `${watch.sessionId}/${loop}`, message, at });
      this.forget(watch.sessionId);
    }
  }

  private heartbeat(observation: Observation, line: EventLine<'SHUTDOWN_HEARTBEAT'>, at: number, tracker: AlertTracker): void {
    const sessionId = line.session_id;
    // A heartbeat written after the session's SESSION_END: it ended cleanly, nothing is left to watch.
    if (this.ended.has(sessionId)) return;
    const watch = this.watch(sessionId, at, evidenceOf(observation), lineOrigin(line));
    this.supersede(sessionId, watch.startedAt, at, tracker);
    // It beat after the later session started (a line read late may be older): that one is not its restart.
    if (watch.heldBy && at > watch.heldBy.since) watch.heldBy = undefined;
    // Judged by the interval learned before this gap, and against the beat before it.
    const freeze = this.freezeOf(watch, line, at);
    const intervalBeforeGap = this.intervalMs(sessionId);
    const dueAt = watch.lastBeatAt + intervalBeforeGap * this.missingFactor(sessionId);
    const stoppedPastDeadline = !watch.silent && at > dueAt && this.missedWhileStopped(watch, dueAt);
    const stoppedNote = stoppedPastDeadline ? this.stoppedNote(watch, intervalBeforeGap, at, tracker) : null;
    if (watch.observerStopped && at >= watch.observerStopped.to) watch.observerStopped = undefined;
    const beforeGap = watch.lastEvidence;
    const beatenBefore = watch.lastEvidence.event_type !== 'SESSION_START';
    if (line.trigger === 'interval') {
      if (watch.lastIntervalBeatAt !== null && at > watch.lastIntervalBeatAt) {
        watch.gapsMs.push(at - watch.lastIntervalBeatAt);
        if (watch.gapsMs.length > GAPS_KEPT) watch.gapsMs.shift();
      }
      watch.lastIntervalBeatAt = at;
    }
    // Heartbeats read back from a file can arrive after a newer line. An older one says nothing about
    // the silence since the newest: it neither moves the silence back nor ends it.
    if (at >= watch.lastBeatAt) {
      const silenceS = (at - watch.lastBeatAt) / 1000;
      watch.lastBeatAt = at;
      watch.lastEvidence = evidenceOf(observation, { last_heartbeat_age_s: line.last_heartbeat_age_s, trigger: line.trigger });
      watch.lastOrigin = lineOrigin(line);
      if (watch.frozen) this.endFreeze(watch, `the process of ${sessionId} runs again: its watchdog beat on schedule after the freeze`, at, tracker);
      if (watch.silent) {
        watch.silent = false;
        const cause = freeze ? `: ${describeFreeze(sessionId, freeze, false)}` : '';
        const resumed = beatenBefore ? `heartbeat resumed after ${silenceS.toFixed(1)} s of silence` : `first heartbeat, ${silenceS.toFixed(1)} s after the session started`;
        tracker.resolve({ rule: RULE, subject: sessionId, message: `${resumed}${cause}`, at });
      } else if (stoppedNote) {
        // The watcher fired and resolved this silence live; a warning now would be a second, late
        // incident for the same stop. The loops it silenced are skipped below, as for a freeze.
        this.notes.push(stoppedNote);
      } else if (freeze) {
        // One stop of the whole process is one incident: one alert for the session, none per loop.
        watch.frozen = tracker.fire({
          rule: RULE,
          subject: sessionId,
          severity: 'warning',
          message: describeFreeze(sessionId, freeze, true),
          evidence: [
            beforeGap,
            evidenceOf(observation, {
              gap_s: freeze.gapS,
              loops: [...freeze.loops],
              last_heartbeat_age_s: line.last_heartbeat_age_s,
              event_loop_blocked_ms: line.event_loop_blocked_ms,
            }),
          ],
          nextCommand: `tradetrace health --session ${sessionId}`,
          at,
          origin: lineOrigin(line),
        });
      }
    }
    const listed = new Set<string>();
    for (const thread of line.registered_threads) {
      listed.add(thread.name);
      const subject = `${sessionId}/${thread.name}`;
      // Silent only because the whole process was stopped: reported once above, as the freeze. Still
      // silent at the next heartbeat (on schedule), it fires there.
      if (freeze?.loops.has(thread.name) === true) continue;
      if (!thread.alive) {
        const age = thread.last_beat_age_s === null ? 'never beat' : `last beat ${thread.last_beat_age_s.toFixed(1)} s ago`;
        tracker.fire({
          rule: RULE,
          subject,
          severity: 'critical',
          message: `loop ${thread.name} of ${sessionId} reported not alive (${age}, promised every ${thread.period_s} s)`,
          evidence: [evidenceOf(observation, { loop: thread.name, alive: false, last_beat_age_s: thread.last_beat_age_s, period_s: thread.period_s })],
          nextCommand: `tradetrace health --session ${sessionId}`,
          at,
          origin: lineOrigin(line),
        });
        watch.openLoops.add(thread.name);
      } else if (watch.openLoops.delete(thread.name)) {
        tracker.resolve({ rule: RULE, subject, message: `loop ${thread.name} is alive again`, at });
      }
    }
    for (const loop of watch.openLoops) {
      if (listed.has(loop)) continue;
      watch.openLoops.delete(loop);
      tracker.resolve({ rule: RULE, subject: `${sessionId}/${loop}`, message: `loop ${loop} is no longer registered`, at });
    }
  }

  /**
   * The whole process was stopped and this interval heartbeat is the watchdog's first since: it came
   * late (that thread runs on its own timer; only a stop of the whole process delays it), and the loops it reports not alive went quiet within that gap (their last beat came no
   * earlier than one period before the heartbeat that opened it) and were not already reported.
   * The runtime writes no field that says the process was stopped, so a stop that ends before the
   * watchdog's next beat is due leaves no gap, and its silent loops are reported one by one.
   */
  private freezeOf(watch: SessionWatch, line: EventLine<'SHUTDOWN_HEARTBEAT'>, at: number): Freeze | null {
    if (line.trigger !== 'interval') return null;
    const intervalMs = this.intervalMs(watch.sessionId);
    const gapMs = at - watch.lastBeatAt;
    if (gapMs - intervalMs <= freezeLatenessMs(intervalMs)) return null;
    const gapS = gapMs / 1000;
    const loops = new Set<string>();
    let frozenS = gapS;
    for (const thread of line.registered_threads) {
      const age = thread.last_beat_age_s;
      if (thread.alive || age === null || watch.openLoops.has(thread.name) || age > gapS + thread.period_s) continue;
      loops.add(thread.name);
      frozenS = Math.min(frozenS, age);
    }
    return loops.size === 0 ? null : { loops, gapS, frozenS, intervalS: intervalMs / 1000 };
  }

  private endFreeze(watch: SessionWatch, message: string, at: number, tracker: AlertTracker): void {
    watch.frozen = false;
    tracker.resolve({ rule: RULE, subject: watch.sessionId, message, at });
  }

  advance(nowMs: number, tracker: AlertTracker): void {
    for (const watch of this.sessions.values()) {
      if (watch.silent || watch.heldBy !== undefined) continue;
      const interval = this.intervalMs(watch.sessionId);
      const dueAt = watch.lastBeatAt + interval * this.missingFactor(watch.sessionId);
      const stop = watch.observerStopped;
      const missed = this.missedWhileStopped(watch, dueAt);
      // The watchdog gets one interval after the observer's resume to show it beats again.
      const deadline = missed && stop ? stop.to + interval : dueAt;
      if (stop && !missed && nowMs > stop.to + interval) watch.observerStopped = undefined;
      if (nowMs <= deadline) continue;
      watch.observerStopped = undefined;
      // The freeze alert shares the session's subject: it ends so the silence is its own alert.
      if (watch.frozen) this.endFreeze(watch, `the process of ${watch.sessionId} ran again after the freeze, then its heartbeat stopped`, deadline, tracker);
      watch.silent = true;
      const late = missed && stop ? `; this bot was itself stopped for ${((stop.to - stop.from) / 1000).toFixed(1)} s meanwhile, and its watchdog wrote none in the ${(interval / 1000).toFixed(1)} s since it resumed` : '';
      tracker.fire(this.silenceRequest(watch, interval, deadline, late));
    }
  }

  /** The silence alert of a session, fired at `at`: also what names the incident in a note. */
  private silenceRequest(watch: SessionWatch, interval: number, at: number, suffix = ''): FireRequest {
    const factor = this.missingFactor(watch.sessionId);
    const limit = interval * factor;
    return {
      rule: RULE,
      subject: watch.sessionId,
      severity: 'critical',
      message: `no SHUTDOWN_HEARTBEAT from ${watch.sessionId} for more than ${(limit / 1000).toFixed(1)} s (${factor} x ${(interval / 1000).toFixed(1)} s interval) ${silentSince(watch)}: ${silenceCause(watch)}${suffix}`,
      evidence: [watch.lastEvidence],
      nextCommand: `tradetrace health --session ${watch.sessionId}`,
      at,
      origin: silenceOrigin(watch),
    };
  }

  /** The heartbeat at `at` ends a silence whose deadline passed while the observer was stopped. Call before `watch` takes the beat. */
  private stoppedNote(watch: SessionWatch, interval: number, at: number, tracker: AlertTracker): AlertNote {
    const dueAt = watch.lastBeatAt + interval * this.missingFactor(watch.sessionId);
    const alertId = tracker.idOf(this.silenceRequest(watch, interval, dueAt));
    const silentS = (at - watch.lastBeatAt) / 1000;
    const stop = watch.observerStopped;
    const stoppedS = stop ? (stop.to - stop.from) / 1000 : silentS;
    return {
      at,
      message:
        `the process of ${watch.sessionId} was stopped (SIGSTOP, a suspended machine, a debugger): its heartbeat was silent for ${silentS.toFixed(1)} s, ` +
        `past its ${((dueAt - watch.lastBeatAt) / 1000).toFixed(1)} s deadline, and it beats again. Not alerted from inside the bot, where it could only be ` +
        `reported once over: a watcher (tradetrace alerts --follow) reports it live as ${alertId}`,
      data: {
        rule: RULE,
        subject: watch.sessionId,
        alert_id: alertId,
        silent_s: silentS,
        stopped_s: stoppedS,
        deadline_at: new Date(dueAt).toISOString(),
        last_heartbeat_at: watch.lastEvidence.ts,
      },
    };
  }

  /** The session's process is gone and it never wrote SESSION_END: it died (SIGKILL, OOM, power loss). */
  sessionGone(sessionId: string, evidence: Evidence, nowMs: number, tracker: AlertTracker): void {
    const watch = this.sessions.get(sessionId);
    // Held: a later session is starting, likely its restart. If that one is refused, the release
    // lets the watcher's next probe report this death.
    if (!watch || watch.heldBy !== undefined) return;
    if (watch.frozen) this.endFreeze(watch, `the process of ${sessionId} ran again after the freeze, then died`, nowMs, tracker);
    watch.silent = true;
    tracker.fire({
      rule: RULE,
      subject: sessionId,
      severity: 'critical',
      message: `the process of ${sessionId} is gone and it wrote no SESSION_END: the bot died; ${lastSignOfLife(watch)}`,
      evidence: [watch.lastEvidence, evidence],
      nextCommand: `tradetrace health --session ${sessionId}`,
      at: nowMs,
      // The same incident as the silence it would become: one id whether the watcher's pid probe or
      // the deadline (the only one `tradetrace alerts` has) reports it.
      origin: silenceOrigin(watch),
    });
  }
}

/**
 * What the session last wrote that showed it alive, in words: its last heartbeat, or, before its
 * first one (the watchdog beats only after a full interval), its start. Never calls a start a heartbeat.
 */
function lastSignOfLife(watch: SessionWatch): string {
  return watch.lastEvidence.event_type === 'SESSION_START'
    ? `no heartbeat yet; the session started at ${watch.lastEvidence.ts}`
    : `its last heartbeat was at ${watch.lastEvidence.ts}`;
}

/** Why the session is silent, as far as the caller could tell: its process stopped by a signal, else a hang or a death. */
function silenceCause(watch: SessionWatch): string {
  const pid = watch.stoppedPid;
  if (pid === undefined) return 'the bot is hung or dead';
  return `its process (pid ${pid}) is ${stoppedBySignal(pid)}`;
}

/** Since when the silence counts, in words (see `lastSignOfLife`). */
function silentSince(watch: SessionWatch): string {
  return watch.lastEvidence.event_type === 'SESSION_START'
    ? `since the session started at ${watch.lastEvidence.ts} (no heartbeat yet)`
    : `since its last heartbeat at ${watch.lastEvidence.ts}`;
}

/** A silence (or death) is identified by the line it follows: the last heartbeat, or the start. */
function silenceOrigin(watch: SessionWatch): string {
  return `silent after ${watch.lastOrigin}`;
}

/** `gap`: the message does not already say how long the heartbeat was silent. */
function describeFreeze(sessionId: string, freeze: Freeze, gap: boolean): string {
  const watchdog = gap ? `its watchdog thread wrote no heartbeat for ${freeze.gapS.toFixed(1)} s (interval ${freeze.intervalS.toFixed(1)} s) and ` : '';
  return (
    `the whole process of ${sessionId} was stopped for about ${freeze.frozenS.toFixed(1)} s (SIGSTOP, a suspended machine, a debugger): ` +
    `${watchdog}its loops ${[...freeze.loops].join(', ')} went quiet over the same span; it runs again`
  );
}
