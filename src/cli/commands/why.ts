import { commonHelp } from '../../investigate/cli/common-options.js';
import { reportSkipped } from '../../investigate/cli/finish.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { newStats } from '../../investigate/query/find-events.js';
import { knownSessions } from '../../investigate/query/known-sessions.js';
import { explainNoBuys, type WhyReport } from '../../investigate/query/why-query.js';
import { utc } from '../../investigate/render/time-format.js';
import { noSessionMatch } from '../../investigate/render/session-match.js';
import { renderNoDecisions, renderWhy, undecidedLine } from '../../investigate/render/why-view.js';
import { undecidedSessions } from '../../investigate/query/undecided-sessions.js';
import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { openQuery } from '../../investigate/cli/query-start.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace why [SYMBOL]      (e.g. tradetrace why BTC/USDT; --symbol SYMBOL also works)

Why the bot did not buy: decisions by outcome, blocked decisions grouped by guard with the observed
values against thresholds, and the latest example of each (its decision_id, for tradetrace trace).
When decisions of several sessions match, the latest session's answer comes first (what blocks the
bot now), then the totals of all sessions; next: traces a decision of the latest session.
${commonHelp(`print one summary object instead of the text (not log lines):
{"decisions":N,"outcomes":{OUTCOME:N},"filled_late":N,"guards":[{"guard":NAME,
"count":N,"values":[{"observed":JSON,"threshold":JSON,"count":N}],"latest":DECISION_ID}],
"latest_session":{"session":ID,"decisions":N,...the same fields}}
(latest_session: the same counts for the session of the latest decision alone,
what blocks the bot now; guards most frequent first; observed and threshold as
JSON text; a decision that ended failed and whose order the exchange filled later
counts as filled, and filled_late says how many of the filled did so); nothing on
stdout when no decision matches (exit 1)`)}
`;

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  // The symbol is an argument; --symbol (as orders takes it) is accepted too rather than refused with
  // parseArgs' own advice about positionals starting with '-'.
  const opened = openQuery('why', args, rawIo, HELP, { symbol: { type: 'string' } }, 1);
  if (!opened.ok) return opened.exitCode;
  const { io, flags: f, set, skipped } = opened;
  const flagged = f.values['symbol'];
  const given = f.positionals[0];
  if (typeof flagged === 'string' && given !== undefined && given !== flagged) {
    io.stderr.write(`tradetrace why: two symbols, ${given} and --symbol ${flagged}: why takes one (tradetrace why ${flagged})\n`);
    return EXIT.usage;
  }
  const symbol = typeof flagged === 'string' ? flagged : given;
  const report = await explainNoBuys(set, { window: f.window, ...(symbol ? { symbol } : {}), ...(f.session ? { session: f.session } : {}) }, skipped, newStats());
  // Sessions that decided nothing after the latest that did (all of them when none did), or the one
  // --session names: a replay that only warmed read as a loop that did not run. Not with a symbol or
  // a window, which explain an absence themselves.
  const plain = symbol === undefined && f.window.since === undefined && f.window.until === undefined;
  const stats = newStats();
  const undecided = !plain ? [] : (await undecidedSessions(set, report.sessions, f.session === undefined ? report.latestSession?.sessionId : undefined, { skipped, stats })).filter((s) => f.session === undefined || s.sessionId === f.session);
  const undecidedText = undecided.map((s) => undecidedLine(s, followUpDataDir(f))).join('');
  const scope = `${symbol ? ` for ${symbol}` : ''}${f.session ? ` in ${f.session}` : ''}${f.window.since ? ` since ${utc(f.window.since)}` : ''}${f.window.until ? ` until ${utc(f.window.until)}` : ''}`;
  if (report.decisions === 0) {
    // A --session that names no session at all is a typo to point out, not a decision loop to suspect.
    const known = f.session ? await knownSessions(set, skipped, report.sessions) : [];
    if (f.session && !known.includes(f.session) && undecided.length === 0) io.stderr.write(`tradetrace why: ${noSessionMatch(known, f.session, set.logsDir, followUpDataDir(f))}\n`);
    // With --json, stdout holds JSON only: the answer in words goes to stderr.
    else (f.json ? io.stderr : io.stdout).write(undecided.length > 0 ? undecidedText : renderNoDecisions(report, symbol, scope, f.window.since !== undefined || f.window.until !== undefined, followUpDataDir(f)));
    await reportSkipped(skipped, io);
    return EXIT.notFound;
  }
  if (f.json) {
    const summary = (r: WhyReport) => ({ decisions: r.decisions, outcomes: Object.fromEntries(r.outcomes), filled_late: r.filledLate, guards: r.guards.map((g) => ({ guard: g.guard, count: g.count, values: g.values, latest: g.latest.event.decision_id })) });
    const latest = report.latestSession;
    io.stdout.write(`${JSON.stringify({ ...summary(report), latest_session: latest ? { session: latest.sessionId, ...summary(latest.report) } : null })}\n`);
  } else io.stdout.write((undecidedText === '' ? '' : `${undecidedText}\n`) + renderWhy(report, scope, f.style, f.nowMs, followUpDataDir(f)));
  if (report.unread !== undefined) io.stderr.write(`tradetrace why: ${report.unread}\n`);
  await reportSkipped(skipped, io);
  return EXIT.found;
}
