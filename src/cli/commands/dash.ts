import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { COMMON_HELP } from '../../investigate/cli/common-options.js';
import { reportSkipped, unknownSession } from '../../investigate/cli/finish.js';
import { followQuery } from '../../investigate/cli/follow-query.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { narrowedBy, REPLAY_WINDOW_NOTE } from '../../investigate/render/empty-answer.js';
import { findDashEvents, type DashEntry } from '../../investigate/query/dash-query.js';
import { newStats } from '../../investigate/query/find-events.js';
import type { Style } from '../../investigate/render/style.js';
import { utc } from '../../investigate/render/time-format.js';
import { raw } from '../../investigate/render/values.js';
import { openQuery } from '../../investigate/cli/query-start.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace dash [TYPE] [--follow]

Dashboard notifications (DASH_EVENT), optionally of one TYPE such as BUY_FILLED, each with the
source file:line that raised it and the decision behind it; grouped by source first.
  --follow   keep printing new notifications
${COMMON_HELP}
`;

function render(entries: readonly DashEntry[], style: Style): string {
  const out: string[] = [style.bold(`${entries.length} dashboard notification${entries.length === 1 ? '' : 's'} by source:`)];
  const groups = new Map<string, DashEntry[]>();
  for (const e of entries) groups.set(`${e.type} from ${e.source}`, [...(groups.get(`${e.type} from ${e.source}`) ?? []), e]);
  for (const [key, list] of groups) {
    const linked = list.filter((e) => e.decisionId).length;
    const note = linked === list.length ? 'each raised inside a decision' : linked === 0 ? style.yellow('raised outside any decision') : style.yellow(`${list.length - linked} raised outside any decision`);
    out.push(`  ${key}: ${list.length}  (${note})`);
  }
  out.push('');
  for (const e of entries) {
    const decision = e.decisionId ? `decision ${e.decisionId}${e.decisionOutcome ? ` (${e.decisionOutcome})` : ''}` : style.yellow('no decision');
    out.push(`${utc(e.event.event.ts)}  ${style.cyan(e.type.padEnd(12))} "${raw(e.event, 'message')}"  source ${style.bold(e.source)}  ${decision}`);
  }
  return `${out.join('\n')}\n`;
}

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  const opened = openQuery('dash', args, rawIo, HELP, { follow: { type: 'boolean' } }, 1);
  if (!opened.ok) return opened.exitCode;
  const { io, guarded, flags: f, set, skipped } = opened;
  const type = f.positionals[0];
  const sessions = new Set<string>();
  const { entries, outcomesLeftOut } = await findDashEvents(set, { window: f.window, outcomes: !f.json, ...(type ? { type } : {}), ...(f.session ? { session: f.session } : {}) }, skipped, newStats(), sessions);
  // A --session that names no session at all is a typo to point out, not an empty result.
  const unknown = entries.length === 0 ? await unknownSession(set, skipped, f.session, sessions, followUpDataDir(f)) : null;
  if (unknown) {
    io.stderr.write(`tradetrace dash: ${unknown}\n`);
    await reportSkipped(skipped, io);
    return EXIT.notFound;
  }
  if (f.json) for (const e of entries) io.stdout.write(`${e.event.text}\n`);
  else if (entries.length > 0) {
    io.stdout.write(render(entries, f.style));
    if (outcomesLeftOut) io.stderr.write(`tradetrace dash: ${outcomesLeftOut}\n`);
  }
  else {
    const windowed = f.window.since !== undefined || f.window.until !== undefined;
    io.stderr.write(`tradetrace dash: no dashboard notifications${type ? ` of type ${type}` : ''}${narrowedBy({ session: f.session }, f.window)} in ${set.logsDir}${windowed ? `; ${REPLAY_WINDOW_NOTE}` : ''}\n`);
  }
  if (f.values['follow'] === true) {
    await reportSkipped(skipped, io);
    const needles = [type ? `"dashboard_event_type":"${type}"` : '"event_type":"DASH_EVENT"'];
    await followQuery({ set, channels: ['dashboard'], needles, json: f.json, style: f.style, closed: guarded.closedSignal }, io);
    return EXIT.found;
  }
  await reportSkipped(skipped, io);
  return entries.length > 0 ? EXIT.found : EXIT.notFound;
}
