import { changeLine, configLine } from '../../investigate/render/drift-change.js';
import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { commonHelp } from '../../investigate/cli/common-options.js';
import { reportSkipped } from '../../investigate/cli/finish.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { configLeaves, findDrift, forSession, type Drift } from '../../investigate/query/drift-query.js';
import { newStats, type TimeWindow } from '../../investigate/query/find-events.js';
import { knownSessions } from '../../investigate/query/known-sessions.js';
import { noSessionMatch } from '../../investigate/render/session-match.js';
import { utc } from '../../investigate/render/time-format.js';
import { openQuery } from '../../investigate/cli/query-start.js';
import type { LogSet } from '../../investigate/query/log-set.js';
import type { SkippedLines } from '../../investigate/query/skipped-lines.js';
import { SECRET_PATHS } from '../../config/schema.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace drift [--session S]

Config hashes across sessions (from CONFIG_HASH in audit.jsonl) and, for each change, every changed
path with its old and new value (from CONFIG_DIFF, or computed from the two logged snapshots).
With --session: that session's config, path by path (a secret only as [set] or (unset)), and the
changes into it (from the latest session before it of the same mode that was not refused, as the bot
compares: a demo is never the paper bot's baseline) and
out of it (to the next session compared with it).
With --since/--until: the sessions whose CONFIG_HASH falls in the window, and the change into each,
also into the window's first session from the session before it, listed though outside the window.
${commonHelp(`print one object instead of the text (not log lines):
{"sessions":[{"sessionId":ID,"ts":T,"hash":HASH,"mode":MODE|null,"refused":BOOL,"outsideWindow":BOOL,"recovered":null|TEXT}],
"drifts":[{"from":ID,"to":ID,"prev_hash":HASH,"current_hash":HASH,
"source":"CONFIG_DIFF"|"snapshots",
"changes":[{"path":PATH,"from":VALUE,"to":VALUE,"secret":{"from":SIDE,"to":SIDE},
"fromSource":SOURCE|null,"toSource":SOURCE|null}]}]}
(sessions oldest first; outsideWindow true for a session outside --since/--until's window,
listed as the one a change into the window is compared with; recovered, when the session's
CONFIG_HASH line is damaged or lost, says so and where its hash and config were read instead; from and to are session ids; a secret's change has from and to
"[changed]", never its value, and secret saying whether it was "set" or "unset" on each side,
or "unknown" when its snapshot was not logged; fromSource and toSource, where each side's value
came from: "env NAME", "file PATH", "flag FLAG" or "default", null when that session did not log
it; mode, the session's (paper, live, demo): each is compared only with one of its own mode)`)}
`;

/**
 * Why no config is listed: an unknown --session (as the other readers say it), a session that
 * logged no CONFIG_HASH, a window that holds none of the CONFIG_HASH lines (and how many lie
 * outside it), or no CONFIG_HASH line at all.
 */
async function nothingFound(set: LogSet, window: TimeWindow, session: string | undefined, seen: string[], skipped: SkippedLines, hintDir: string | undefined): Promise<string> {
  const windowed = window.since !== undefined || window.until !== undefined;
  const between = `between ${window.since ? utc(window.since) : 'the start'} and ${window.until ? utc(window.until) : 'now'}`;
  if (session) {
    const known = await knownSessions(set, skipped, seen);
    if (!known.includes(session)) return noSessionMatch(known, session, set.logsDir, hintDir);
  }
  const whole = windowed ? await findDrift(set, {}, skipped, newStats()) : undefined;
  const outside = (whole?.sessions ?? []).filter((s) => !session || s.sessionId === session);
  const first = outside[0];
  const last = outside.at(-1);
  if (first && last) {
    const lines = outside.length === 1 ? `the one CONFIG_HASH line${session ? ` of ${session}` : ''} (${utc(first.ts)}) falls` : `all ${outside.length} CONFIG_HASH lines (${utc(first.ts)} to ${utc(last.ts)}) fall`;
    return `no CONFIG_HASH line ${between} in ${set.logsDir}: ${lines} outside the window; drop --since/--until to see ${outside.length === 1 ? 'it' : 'them'}`;
  }
  if (session) return `session ${session} logged no CONFIG_HASH line${windowed ? ` ${between}` : ''} in ${set.logsDir}: it never logged its config`;
  return `no CONFIG_HASH lines in ${set.logsDir}: no session logged its config`;
}

/** `3 changed paths, computed from the logged snapshots: no CONFIG_DIFF line`, or why the paths are not known. */
function driftCount(d: Drift): string {
  const diff = d.diffUnreadable ? `its CONFIG_DIFF line is unreadable (${d.diffUnreadable})` : 'no CONFIG_DIFF line';
  if (d.configUnknown) return `changed paths not known: the config of ${d.configUnknown} was not logged or cannot be read, and ${diff}`;
  const count = `${d.changes.length} changed path${d.changes.length === 1 ? '' : 's'}`;
  return d.source === 'snapshots' ? `${count}, computed from the logged snapshots: ${diff}` : count;
}

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  const opened = openQuery('drift', args, rawIo, HELP, {}, 0);
  if (!opened.ok) return opened.exitCode;
  const { io, flags: f, set, skipped } = opened;
  const all = await findDrift(set, f.window, skipped, newStats(), SECRET_PATHS);
  const { sessions, drifts } = f.session ? forSession(all, f.session) : all;
  if (sessions.length === 0) {
    io.stderr.write(`tradetrace drift: ${await nothingFound(set, f.window, f.session, all.sessions.map((s) => s.sessionId), skipped, followUpDataDir(f))}\n`);
    await reportSkipped(skipped, io);
    return EXIT.notFound;
  }
  if (f.json) {
    io.stdout.write(`${JSON.stringify({ sessions: sessions.map(({ config: _c, recovered, sources: _s, mode, ...s }) => ({ ...s, mode: mode ?? null, outsideWindow: s.outsideWindow === true, recovered: recovered ?? null })), drifts: drifts.map((d) => ({ from: d.from.sessionId, to: d.to.sessionId, prev_hash: d.from.hash, current_hash: d.to.hash, source: d.source, changes: d.changes.map((c) => ({ ...c, fromSource: c.fromSource ?? null, toSource: c.toSource ?? null })) })) })}\n`);
    await reportSkipped(skipped, io);
    return EXIT.found;
  }
  const windowed = f.window.since !== undefined || f.window.until !== undefined;
  const between = `between ${f.window.since ? utc(f.window.since) : 'the start'} and ${f.window.until ? utc(f.window.until) : 'now'}`;
  const counted = sessions.filter((s) => s.outsideWindow !== true).length;
  const out: string[] = [f.style.bold(`config hash per session (${counted} session${counted === 1 ? '' : 's'}${windowed ? ` ${between}` : ''}, ${drifts.length} change${drifts.length === 1 ? '' : 's'}):`)];
  const compared = new Set(drifts.map((d) => d.to.sessionId));
  // Each session is compared only with one of its own mode (as the bot's CONFIG_DIFF): said when there is more than one.
  const modes = new Set(all.sessions.map((s) => s.mode ?? 'unknown'));
  const modeOf = (s: { mode?: string | undefined }): string => (modes.size > 1 ? `  ${s.mode ?? 'mode unknown'}` : '');
  for (const s of sessions) {
    const changed = compared.has(s.sessionId);
    const outside = s.outsideWindow === true ? '  (outside the window: the session a change below is compared with)' : '';
    out.push(`  ${s.sessionId}  ${utc(s.ts)}  ${changed ? f.style.yellow(s.hash) : s.hash}${modeOf(s)}${changed ? '  <- changed' : ''}${s.refused ? '  (refused: never traded)' : ''}${outside}`);
    if (s.recovered) out.push(`      ${f.style.yellow(s.recovered)}`);
  }
  const own = f.session ? sessions.find((s) => s.sessionId === f.session) : undefined;
  if (own) {
    out.push('', f.style.bold(`config of ${own.sessionId} (${own.hash}), ${own.recovered ? `as sessions/${own.sessionId}/config.json holds it (its CONFIG_HASH line is damaged or lost)` : 'as its CONFIG_HASH line logged it'}:`));
    const leaves = own.config === undefined ? [] : configLeaves(own.config, SECRET_PATHS);
    const none = own.recovered ? '  (not known: neither its CONFIG_HASH line nor its config.json could be read)' : '  (not logged: this version of the bot logged only the hash)';
    out.push(...(leaves.length > 0 ? leaves.map((leaf) => `  ${configLine(leaf)}`) : [none]));
  }
  for (const d of drifts) {
    out.push('');
    const vs = modes.size > 1 && d.to.mode !== undefined ? `, vs the ${d.to.mode} session before it` : '';
    out.push(f.style.yellow(`drift ${d.from.hash.slice(0, 8)} -> ${d.to.hash.slice(0, 8)}: ${d.from.sessionId} -> ${d.to.sessionId} (${driftCount(d)}${vs})`));
    for (const c of d.changes) out.push(`  ${changeLine(c)}`);
  }
  if (drifts.length === 0) {
    const none = f.session
      ? `${f.session} ran with the same config as the sessions compared with it`
      : windowed
        ? `no session ${between} changed the config from the session before it`
        : 'every session ran with the same config';
    out.push(`\nno drift: ${none}`);
  }
  io.stdout.write(`${out.join('\n')}\n`);
  await reportSkipped(skipped, io);
  return EXIT.found;
}
