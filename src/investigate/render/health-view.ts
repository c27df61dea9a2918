import { basename } from 'node:path';
import type { HealthReport } from '../query/health-query.js';
import type { Style } from './style.js';
import { ago, duration, utc } from './time-format.js';
import { raw, text } from './values.js';

/** The first sentence of `tradetrace health`: how the session ended, or that it did not. */
export function healthVerdict(r: HealthReport): string {
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
      return `REFUSED before trading: exit code ${r.end ? raw(r.end, 'exit_code') : '?'}${failure(r)}; nothing was decided under its config`;
    case 'died_fatal':
      return `DIED: FATAL ${r.fatal ? `${raw(r.fatal, 'error_code')}: ${raw(r.fatal, 'message')}` : ''} (no SESSION_END)`;
    case 'died_torn':
      return `DIED mid-write: no SESSION_END or SHUTDOWN_COMPLETE, and ${r.torn ? `${basename(r.torn.file.path)}:${r.torn.lineNumber ?? '?'}` : 'a log file'} ends in a torn line (killed by SIGKILL, the OOM killer or power loss)`;
    case 'hung': {
      const dead = r.loops.filter((l) => !l.alive).map((l) => l.name);
      return `HUNG: ${dead.join(', ')} stopped beating and the session never ended (no SESSION_END)`;
    }
    case 'no_clean_end':
      return 'NO CLEAN END: no SESSION_END or SHUTDOWN_COMPLETE; the process died without a trace, or is still running';
  }
}

/** `: <error_code>: <message>` of a SESSION_END that says what failed (older sessions' do not). */
function failure(r: HealthReport): string {
  const e = r.end;
  if (!e || text(e, 'error_code') === '') return '';
  return `: ${text(e, 'error_code')}: ${text(e, 'message')}`;
}

function processLine(r: HealthReport): string | undefined {
  const p = r.process;
  if (!p) return undefined;
  if (p.alive === null) return `process: pid ${p.pid} ran on ${p.host}; check there whether it still runs`;
  return p.alive
    ? `process: pid ${p.pid} is running on this host: the bot is still up (or the pid was reused)`
    : `process: pid ${p.pid} is not running on this host: the bot is gone`;
}

export function renderHealth(r: HealthReport, style: Style, nowMs: number): string {
  const out: string[] = [];
  const m = r.manifest;
  const started = r.start?.event.ts ?? m?.start;
  out.push(style.bold(`session ${r.sessionId}${m ? `  (${m.mode ?? '?'} mode, pid ${m.pid ?? '?'} on ${m.host ?? '?'})` : ''}`));
  if (started) out.push(`started ${utc(started)} (${ago(started, nowMs)})`);
  const verdict = healthVerdict(r);
  out.push(r.verdict === 'ended_cleanly' ? style.green(verdict) : style.red(verdict));
  const running = processLine(r);
  if (running) out.push(running);
  for (const id of r.laterRefused) out.push(`a later session was refused before trading: ${id} (tradetrace health --session ${id})`);
  out.push('');
  if (r.lastHeartbeat) {
    const hb = r.lastHeartbeat;
    out.push(`last heartbeat: ${utc(hb.event.ts)} (${ago(hb.event.ts, nowMs)}), ${r.heartbeats} heartbeat${r.heartbeats === 1 ? '' : 's'} in the session${r.periodS !== null ? `, every ${duration(r.periodS * 1000)}` : ''}`);
    for (const loop of r.loops) {
      const state = loop.alive ? style.green('alive  ') : style.red('STOPPED');
      const detail = loop.alive
        ? `last beat ${loop.lastBeatAgeS ?? '?'}s before the heartbeat`
        : `last beat ${loop.lastBeatAt ? utc(loop.lastBeatAt) : 'never'}${loop.firstSeenDead ? `; first reported dead at ${utc(loop.firstSeenDead)}` : ''}; ${loop.lastBeatAgeS ?? '?'}s silent at the last heartbeat`;
      out.push(`  ${loop.name.padEnd(18)} ${state}  ${detail}`);
    }
    if (r.periodS !== null && r.verdict !== 'ended_cleanly' && r.verdict !== 'ended_with_error' && r.verdict !== 'refused') {
      const silentMs = (r.lastLine ? Math.max(Date.parse(r.lastLine.ts), Date.parse(hb.event.ts)) : nowMs) - Date.parse(hb.event.ts);
      const sinceNow = nowMs - Date.parse(hb.event.ts);
      if (sinceNow > r.periodS * 2000) out.push(style.red(`heartbeats stopped: none for ${duration(sinceNow)} (expected every ${duration(r.periodS * 1000)})${silentMs > 0 ? `; other lines went on for ${duration(silentMs)} after it` : ''}`));
    }
  } else {
    out.push(style.red('no SHUTDOWN_HEARTBEAT from this session: the watchdog never ran or its lines are missing'));
  }
  if (r.lastLine) {
    const type = /"event_type":"([A-Z_]+)"/.exec(r.lastLine.text)?.[1] ?? '?';
    out.push(`last line written by the session: ${utc(r.lastLine.ts)} ${type} in ${basename(r.lastLine.file)} (${ago(r.lastLine.ts, nowMs)})`);
  }
  if (r.torn) out.push(style.red(`torn last line: ${basename(r.torn.file.path)}:${r.torn.lineNumber ?? '?'}  ${JSON.stringify(r.torn.excerpt)}`));
  if (m && r.verdict !== 'ended_cleanly') out.push(`manifest: end ${m.end ?? 'not written'}, exit reason ${m.exit_reason ?? 'not written'}`);
  return `${out.join('\n')}\n`;
}
