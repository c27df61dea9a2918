import { basename } from 'node:path';
import { dataDirArg, shellWord } from '../../domain/shell-word.js';
import type { HealthReport, HeartbeatSilence } from '../query/health-query.js';
import { stoppedBySignal } from '../query/session-process.js';
import type { Style } from './style.js';
import { ago, duration, utc } from './time-format.js';
import { raw, text } from './values.js';

/** The first sentence of `tradetrace health`: how the session ended, or that it did not. */
export function healthVerdict(r: HealthReport, nowMs: number = Date.now()): string {
  switch (r.verdict) {
    case 'ended_cleanly':
    case 'ended_with_error': {
      const e = r.end;
      return `${r.verdict === 'ended_cleanly' ? 'ENDED CLEANLY' : 'ENDED WITH AN ERROR'}: SESSION_END reason ${e ? raw(e, 'reason') : '?'}, exit code ${e ? raw(e, 'exit_code') : '?'}${failure(r)}${r.complete ? ', shutdown completed' : ''}`;
    }
    case 'forced':
      // The operator's own second Ctrl-C, not a fault of the bot: say what was cut short.
      return `STOPPED BY FORCE: a second signal cut the shutdown short, exit code ${r.end ? raw(r.end, 'exit_code') : '?'}${r.end ? `: ${text(r.end, 'message')}` : ''}`;
    case 'refused':
      return `REFUSED before trading: exit code ${r.end ? raw(r.end, 'exit_code') : (r.manifest?.exit_code ?? '?')}${failure(r)}; nothing was decided under its config${r.end ? '' : ' (from its manifest: it wrote no SESSION_END)'}`;
    case 'died_fatal':
      return `DIED: FATAL ${r.fatal ? `${raw(r.fatal, 'error_code')}: ${raw(r.fatal, 'message')}` : ''} (no SESSION_END)`;
    case 'died_torn':
      return `DIED mid-write: no SESSION_END or SHUTDOWN_COMPLETE, and ${r.torn ? `${basename(r.torn.file.path)}:${r.torn.lineNumber ?? '?'}` : 'a log file'} ends in a torn line (killed by SIGKILL, the OOM killer or power loss)`;
    case 'hung': {
      const dead = r.loops.filter((l) => !l.alive).map((l) => l.name);
      return `HUNG: ${dead.join(', ')} stopped beating and the session never ended (no SESSION_END)`;
    }
    case 'running':
      return running(r, nowMs);
    case 'shutdown_unended': {
      const c = r.complete;
      return `SHUTDOWN COMPLETED, END NOT RECORDED: SHUTDOWN_COMPLETE${c ? ` at ${utc(c.event.ts)}, exit code ${raw(c, 'exit_code')}` : ''}, but no SESSION_END: the process was killed while ending${r.torn ? ` (${basename(r.torn.file.path)}:${r.torn.lineNumber ?? '?'} ends in a torn line)` : ''}`;
    }
    case 'killed_while_stopping': {
      const q = r.requested;
      return `KILLED WHILE STOPPING: a shutdown began${q ? ` at ${utc(q.event.ts)} (SHUTDOWN_REQUESTED, reason ${raw(q, 'reason')})` : ''}, but neither SHUTDOWN_COMPLETE nor SESSION_END followed: the process was killed before it had stopped (a supervisor's stop timeout shorter than the shutdown, e.g. systemd's TimeoutStopSec or docker stop -t, which should exceed runtime.shutdown_timeout; or a kill -9)${r.process?.alive === null ? ', or is still stopping on its host' : ''}${r.torn ? `; ${basename(r.torn.file.path)}:${r.torn.lineNumber ?? '?'} ends in a torn line` : ''}`;
    }
    case 'no_clean_end':
      return `NO CLEAN END: no SESSION_END or SHUTDOWN_COMPLETE; the process died without a trace${r.process?.alive === null ? ', or is still running on its host' : ''}`;
  }
}

/** The verdict of a session whose process runs on this host: since when, its last line, its heartbeats. */
function running(r: HealthReport, nowMs: number): string {
  const p = r.process;
  // The manifest's start, as the header's "started" and `sessions` give it (81e97ba); SESSION_START is written a moment later.
  const since = r.manifest?.start ?? r.start?.event.ts;
  const who = p && p.startedAt === null ? `a process with pid ${p.pid} is running on this host (its start time cannot be read here: it may be another process that got the pid)` : `pid ${p?.pid ?? '?'} is running on this host`;
  const parts = [`RUNNING: ${who}, no SESSION_END yet`];
  if (p?.stopped) parts.push(`but the process is ${stoppedBySignal(p.pid)}`);
  if (since) parts.push(`running since ${utc(since)} (${ago(since, nowMs)})`);
  if (r.lastLine) parts.push(`last line ${ago(r.lastLine.ts, nowMs)}`);
  parts.push(heartbeatsDue(r, nowMs));
  if (r.complete) parts.push(`ending: SHUTDOWN_COMPLETE written at ${utc(r.complete.event.ts)}`);
  return parts.join('; ');
}

/** Whether the watchdog owes a heartbeat yet, for a running session. */
function heartbeatsDue(r: HealthReport, nowMs: number): string {
  const every = r.heartbeatIntervalMs !== null ? `every ${duration(r.heartbeatIntervalMs)}` : 'at the configured interval';
  if (r.lastHeartbeat) {
    const late = r.heartbeatIntervalMs !== null && nowMs - Date.parse(r.lastHeartbeat.event.ts) > 2 * r.heartbeatIntervalMs;
    const why = r.process?.stopped ? 'the process is stopped' : 'the watchdog or the whole process is stuck';
    return `heartbeats ${every}, the last ${ago(r.lastHeartbeat.event.ts, nowMs)}${late ? `: overdue, ${why}` : ''}`;
  }
  if (!r.firstHeartbeatDue) return 'no heartbeat yet (the heartbeat interval is not known here)';
  const dueMs = Date.parse(r.firstHeartbeatDue);
  return dueMs > nowMs
    ? `no heartbeat due yet: the first is due ${duration(dueMs - nowMs)} from now, at ${utc(r.firstHeartbeatDue)} (start + ${duration(r.heartbeatIntervalMs ?? 0)})`
    : `no heartbeat although the first was due at ${utc(r.firstHeartbeatDue)} (${ago(r.firstHeartbeatDue, nowMs)})`;
}

/**
 * Said when the session wrote no SHUTDOWN_HEARTBEAT: whether one was due by its last sign of life
 * (now for a running session, its last line otherwise). None is due before start + interval.
 */
function noHeartbeat(r: HealthReport, nowMs: number): { due: boolean; text: string } {
  const lastSign = r.verdict === 'running' ? nowMs : r.lastLine ? Date.parse(r.lastLine.ts) : undefined;
  if (r.firstHeartbeatDue && lastSign !== undefined && Date.parse(r.firstHeartbeatDue) > lastSign) {
    const until = r.verdict === 'running' ? ` yet: the first is due at ${utc(r.firstHeartbeatDue)}` : `: the session's last line came before the first was due at ${utc(r.firstHeartbeatDue)}`;
    return { due: false, text: `no SHUTDOWN_HEARTBEAT from this session, and none was due${until} (start + ${duration(r.heartbeatIntervalMs ?? 0)} interval)` };
  }
  return { due: true, text: 'no SHUTDOWN_HEARTBEAT from this session: the watchdog never ran or its lines are missing' };
}

/**
 * `: <error_code>: <message>` of a SESSION_END that says what failed (older sessions' do not), else
 * of the manifest's failure (a start refused before it could write any line).
 */
function failure(r: HealthReport): string {
  const e = r.end;
  if (!e) return r.manifestFailure ? `: ${r.manifestFailure.code}: ${r.manifestFailure.message}` : '';
  if (text(e, 'error_code') === '') return '';
  return `: ${text(e, 'error_code')}: ${text(e, 'message')}`;
}

function processLine(r: HealthReport): string | undefined {
  const p = r.process;
  if (!p) return undefined;
  if (p.alive === null) return `process: pid ${p.pid} ran on ${p.host}; check there whether it still runs`;
  if (p.zombie === true) return `process: pid ${p.pid} is a zombie on this host (it died; its parent has not reaped it yet): the bot is gone`;
  if (!p.alive) return `process: pid ${p.pid} is not running on this host: the bot is gone`;
  if (p.reused) return `process: pid ${p.pid} is running on this host, but that process started ${p.startedAt ? utc(p.startedAt) : '?'}, after the session: another process got the pid; the bot is gone`;
  return p.startedAt
    ? `process: pid ${p.pid} is running on this host, started ${utc(p.startedAt)}, before the session: the bot is still up`
    : `process: pid ${p.pid} is running on this host: the bot is still up (or the pid was reused)`;
}

/**
 * `; typically 10s apart`, when the periodic heartbeats kept another pace than the configured one
 * (by over a tenth of it): a watchdog that kept falling behind, or a config.json not the session's.
 */
function observedApart(r: HealthReport): string {
  const observed = r.observedPeriodS;
  if (observed === null || r.periodS === null || Math.abs(observed - r.periodS) <= r.periodS / 10) return '';
  return `; typically ${duration(observed * 1000)} apart`;
}

/**
 * The session's longest silence between heartbeats, once it outlasted the stall deadline: said even
 * when the bot ran again or ended cleanly, and with what the heartbeat after it said (a stopped
 * process, or a watchdog that ran but did not write). Only the silence tells it: the loops and the
 * verdict above are from the last heartbeat.
 */
function silenceLine(s: HeartbeatSilence): string {
  const head = `heartbeats stopped for ${duration(s.seconds * 1000)}, from ${utc(s.before.event.ts)} to ${utc(s.after.event.ts)} (over the ${duration(s.deadlineS * 1000)} stall deadline)`;
  const blocked = s.eventLoopBlockedMs > 0 ? `the event loop blocked for ${duration(s.eventLoopBlockedMs)}` : '';
  const dead = s.deadLoops.length > 0 ? `${s.deadLoops.join(', ')} not alive` : '';
  const reported = [blocked, dead].filter(Boolean).join(' and ');
  switch (s.cause) {
    case 'process_stopped':
      return `${head}: the process was not running for ${duration(s.pausedMs ?? 0)} of it (stopped: SIGSTOP or Ctrl-Z, a debugger, a suspended machine), not hung${reported ? `; besides, the heartbeat after it reported ${reported}` : ''}`;
    case 'watchdog_silent':
      return `${head}: the process was running (the heartbeat after it saw no pause), yet its watchdog wrote no heartbeat: it could not write its log or was stuck itself (look for ERROR watchdog_write_failed)${reported ? `; the heartbeat after it reported ${reported}` : ''}`;
    case 'not_told':
      return `${head}: the watchdog thread, which writes even while the main thread hangs, did not write: the whole process was stopped (SIGSTOP, a debugger, a suspended machine) or its watchdog could not write; this bot's heartbeats do not say which${reported ? `. The heartbeat after it reported ${reported}, which a stop of the whole process also reads as` : ''}`;
  }
}

/** `dataDir`: the directory to name in the follow-up commands, when it is not the one they would use anyway. */
export function renderHealth(r: HealthReport, style: Style, nowMs: number, dataDir: string | undefined): string {
  const out: string[] = [];
  const m = r.manifest;
  // The manifest's start is the session's, as sessions shows it (its SESSION_START line is written a few ms later).
  const started = m?.start ?? r.start?.event.ts;
  out.push(style.bold(`session ${r.sessionId}${m ? `  (${m.mode ?? '?'} mode, pid ${m.pid ?? '?'} on ${m.host ?? '?'})` : ''}`));
  if (started) out.push(`started ${utc(started)} (${ago(started, nowMs)})`);
  const verdict = healthVerdict(r, nowMs);
  out.push(r.verdict === 'ended_cleanly' || r.verdict === 'running' ? style.green(verdict) : style.red(verdict));
  const running = processLine(r);
  if (running) out.push(running);
  // Why it was refused, here: a restart refused for a reason to act on (its state lost, the data dir
  // held by another bot) is what an operator asking "what happened" needs, not a second command.
  for (const later of r.laterRefused) {
    const why = later.message ? `: ${later.errorCode ? `${later.errorCode}: ` : ''}${later.message}` : '';
    out.push(`a later session was refused before trading: ${later.sessionId}${why} (tradetrace health --session ${shellWord(later.sessionId)}${dataDirArg(dataDir)})`);
  }
  out.push('');
  if (r.lastHeartbeat) {
    const hb = r.lastHeartbeat;
    const atShutdown = r.heartbeats - r.periodicHeartbeats;
    const every = r.periodS === null ? '' : `, every ${duration(r.periodS * 1000)}${r.periodFrom === 'config' ? ` (configured${observedApart(r)})` : ''}`;
    out.push(`last heartbeat: ${utc(hb.event.ts)} (${ago(hb.event.ts, nowMs)}), ${r.heartbeats} heartbeat${r.heartbeats === 1 ? '' : 's'} in the session${atShutdown > 0 ? ` (${atShutdown} at shutdown)` : ''}${every}`);
    for (const loop of r.loops) {
      const state = loop.alive ? style.green('alive  ') : style.red('STOPPED');
      const detail = loop.alive
        ? `last beat ${loop.lastBeatAgeS ?? '?'}s before the heartbeat`
        : `last beat ${loop.lastBeatAt ? utc(loop.lastBeatAt) : 'never'}${loop.firstSeenDead ? `; first reported dead at ${utc(loop.firstSeenDead)}` : ''}; ${loop.lastBeatAgeS ?? '?'}s silent at the last heartbeat`;
      out.push(`  ${loop.name.padEnd(18)} ${state}  ${detail}`);
    }
    if (r.longestSilence) out.push(style.red(silenceLine(r.longestSilence)));
    if (r.periodS !== null && r.verdict !== 'ended_cleanly' && r.verdict !== 'ended_with_error' && r.verdict !== 'refused') {
      const silentMs = (r.lastLine ? Math.max(Date.parse(r.lastLine.ts), Date.parse(hb.event.ts)) : nowMs) - Date.parse(hb.event.ts);
      const sinceNow = nowMs - Date.parse(hb.event.ts);
      if (sinceNow > r.periodS * 2000) out.push(style.red(`heartbeats stopped: none for ${duration(sinceNow)} (expected every ${duration(r.periodS * 1000)})${silentMs > 0 ? `; other lines went on for ${duration(silentMs)} after it` : ''}`));
    }
  } else if (!(r.verdict === 'refused' && !r.start)) {
    // A start refused before SESSION_START never ran its watchdog: no heartbeat was ever due.
    const none = noHeartbeat(r, nowMs);
    out.push(none.due ? style.red(none.text) : none.text);
  }
  if (r.lastLine) {
    const type = /"event_type":"([A-Z_]+)"/.exec(r.lastLine.text)?.[1] ?? '?';
    out.push(`last line written by the session: ${utc(r.lastLine.ts)} ${type} in ${basename(r.lastLine.file)} (${ago(r.lastLine.ts, nowMs)})`);
  }
  if (r.torn) out.push(style.red(`torn last line: ${basename(r.torn.file.path)}:${r.torn.lineNumber ?? '?'}  ${JSON.stringify(r.torn.excerpt)}`));
  if (m && r.verdict !== 'ended_cleanly') out.push(`manifest: end ${m.end ?? 'not written'}, exit reason ${m.exit_reason ?? 'not written'}`);
  return `${out.join('\n')}\n`;
}
