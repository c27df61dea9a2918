import { commonHelp } from '../../investigate/cli/common-options.js';
import { reportSkipped } from '../../investigate/cli/finish.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { findDrift } from '../../investigate/query/drift-query.js';
import { newStats } from '../../investigate/query/find-events.js';
import { utc } from '../../investigate/render/time-format.js';
import { openQuery } from '../../investigate/cli/query-start.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace drift

Config hashes across sessions (from CONFIG_HASH in audit.jsonl) and, for each change, every changed
path with its old and new value (from CONFIG_DIFF, or computed from the two logged snapshots).
${commonHelp(`print one object instead of the text (not log lines):
{"sessions":[{"sessionId":ID,"ts":T,"hash":HASH,"refused":BOOL}],
"drifts":[{"from":ID,"to":ID,"prev_hash":HASH,"current_hash":HASH,
"source":"CONFIG_DIFF"|"snapshots",
"changes":[{"path":PATH,"from":VALUE,"to":VALUE}]}]}
(sessions oldest first; from and to are session ids)`)}
`;

const show = (v: unknown) => (v === null || v === undefined ? '(absent)' : JSON.stringify(v));

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  const opened = openQuery('drift', args, rawIo, HELP, {}, 0);
  if (!opened.ok) return opened.exitCode;
  const { io, flags: f, set, skipped } = opened;
  const { sessions, drifts } = await findDrift(set, f.window, skipped, newStats());
  if (sessions.length === 0) {
    io.stderr.write(`tradetrace drift: no CONFIG_HASH lines in ${set.logsDir}: no session logged its config\n`);
    await reportSkipped(skipped, io);
    return EXIT.notFound;
  }
  if (f.json) {
    io.stdout.write(`${JSON.stringify({ sessions: sessions.map(({ config: _c, ...s }) => s), drifts: drifts.map((d) => ({ from: d.from.sessionId, to: d.to.sessionId, prev_hash: d.from.hash, current_hash: d.to.hash, source: d.source, changes: d.changes })) })}\n`);
    await reportSkipped(skipped, io);
    return EXIT.found;
  }
  const out: string[] = [f.style.bold(`config hash per session (${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${drifts.length} change${drifts.length === 1 ? '' : 's'}):`)];
  const compared = new Set(drifts.map((d) => d.to.sessionId));
  for (const s of sessions) {
    const changed = compared.has(s.sessionId);
    out.push(`  ${s.sessionId}  ${utc(s.ts)}  ${changed ? f.style.yellow(s.hash) : s.hash}${changed ? '  <- changed' : ''}${s.refused ? '  (refused: never traded)' : ''}`);
  }
  for (const d of drifts) {
    out.push('');
    out.push(f.style.yellow(`drift ${d.from.hash.slice(0, 8)} -> ${d.to.hash.slice(0, 8)}: ${d.from.sessionId} -> ${d.to.sessionId} (${d.changes.length} changed path${d.changes.length === 1 ? '' : 's'}${d.source === 'snapshots' ? ', computed from the logged snapshots: no CONFIG_DIFF line' : ''})`));
    for (const c of d.changes) out.push(`  ${c.path}: ${show(c.from)} -> ${show(c.to)}`);
  }
  if (drifts.length === 0) out.push('\nno drift: every session ran with the same config');
  io.stdout.write(`${out.join('\n')}\n`);
  await reportSkipped(skipped, io);
  return EXIT.found;
}
