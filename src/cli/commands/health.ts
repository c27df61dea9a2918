import { commonHelp, JSON_RAW_LINES } from '../../investigate/cli/common-options.js';
import { reportSkipped, unknownSession } from '../../investigate/cli/finish.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { newStats, type LocatedEvent } from '../../investigate/query/find-events.js';
import { checkHealth } from '../../investigate/query/health-query.js';
import { renderHealth } from '../../investigate/render/health-view.js';
import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { openQuery } from '../../investigate/cli/query-start.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace health [--session S]

The last SHUTDOWN_HEARTBEAT of a session (default: the latest that was not refused at its start; later
refused starts are named): which loops were alive, which
stopped and when, whether the session ended cleanly (SESSION_END, SHUTDOWN_COMPLETE) or died, and
the last line it wrote; and the session's longest silence between heartbeats when it outlasted
runtime.stall_multiple x runtime.heartbeat_interval (when, how long, and whether the process was
stopped), even if the bot ran again. With --json: the SESSION_START line, the two heartbeats around
that silence, the last heartbeat, then FATAL, SHUTDOWN_COMPLETE and SESSION_END, those there are, in
that order. It reads whole sessions: --since/--until are refused (exit 2).
${commonHelp(JSON_RAW_LINES, { window: false })}
`;

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  // A torn last line is read even while the bot runs: the verdict tells a line being written from a dead bot's.
  const opened = openQuery('health', args, rawIo, HELP, {}, 0, { everyTornLine: true, orRefusedStart: true });
  if (!opened.ok) return opened.exitCode;
  const { io, flags: f, set, skipped } = opened;
  if (f.window.since !== undefined || f.window.until !== undefined) {
    // A health verdict is about one whole session: a window would cut its end or its start away.
    io.stderr.write('tradetrace health: --since/--until do not apply: health reads one whole session; choose it with --session (tradetrace sessions --since ... lists the sessions of a window)\n');
    return EXIT.usage;
  }
  const report = await checkHealth(set, f.session, skipped, newStats());
  // A start refused before its first line (logs not writable) is known by its manifest alone.
  if (!report || (f.session && !report.start && !report.lastHeartbeat && !report.lastLine && report.verdict !== 'refused')) {
    const unknown = await unknownSession(set, skipped, f.session, [], followUpDataDir(f));
    io.stderr.write(`tradetrace health: ${unknown ?? `${f.session ? `no lines from session ${f.session}` : 'no session found'} in ${set.files.length} log files of ${set.logsDir}`}\n`);
    await reportSkipped(skipped, io);
    return EXIT.notFound;
  }
  if (f.json) {
    // Raw lines, as the other --json answers: the silence is the two heartbeats around it (their ts
    // say when and how long; the second's stats.paused_ms whether the process was stopped).
    const silence = report.longestSilence;
    const lines = [report.start, silence?.before, silence?.after, report.lastHeartbeat, report.fatal, report.complete, report.end];
    const printed = new Set<LocatedEvent>();
    for (const e of lines) {
      if (!e || printed.has(e)) continue;
      printed.add(e);
      io.stdout.write(`${e.text}\n`);
    }
  } else io.stdout.write(renderHealth(report, f.style, f.nowMs, followUpDataDir(f)));
  await reportSkipped(skipped, io);
  return EXIT.found;
}
