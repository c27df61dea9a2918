import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { commonHelp } from '../../investigate/cli/common-options.js';
import { reportSkipped } from '../../investigate/cli/finish.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { newStats } from '../../investigate/query/find-events.js';
import { listSessions, type SessionRow } from '../../investigate/query/sessions-query.js';
import { noSessionMatch } from '../../investigate/render/session-match.js';
import { duration, utc } from '../../investigate/render/time-format.js';
import { openQuery } from '../../investigate/cli/query-start.js';
import { processState, runsHere } from '../../investigate/query/session-process.js';
import type { ElsewhereCounts, IntentCounts } from '../../investigate/query/intent-session.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace sessions

Every session with start, end, exit reason, config hash, its decisions, fills and failures, and
its realized PnL per currency: from its SESSION_END summary, else (killed, running, or a summary
without PnL) the sum of its SELL_FILLED lines, said so; "unknown" when one of those is unreadable.
Fills and failures are order intents by their final verdict, as orders tells them, each counted in
the one session that booked it: an order a killed session placed and its restart found filled is
the restart's fill (both sessions say so), so the sessions' fills add up to the fills. An order
filled in part that still rests on the exchange is counted apart ("partly filled").
A session without SESSION_END shows "no SESSION_END" and when it was last seen (RUNNING or STOPPED
by a signal when its process is alive on this host); one that ended
in an error shows why (its SESSION_END's error code and message), and one refused before trading
says "refused before trading: <why>" in place of its PnL (from its SESSION_END, else its manifest:
a start that could not open its logs wrote no line).
${commonHelp(`print one object per session, one a line, instead of the text (not log lines):
{"sessionId":ID,"start":T,"end":T,"durationMs":N,"exitReason":REASON,"exitCode":N,"mode":MODE,
"configHash":HASH,"decisions":N,"fills":N,"partlyFilled":N,"failures":N,
"countedElsewhere":{ID:{"fills":N,"partlyFilled":N,"failures":N},...},
"placedElsewhere":{ID:{...},...},"realizedPnl":{CURRENCY:DECIMAL,...} (null: unknown),
"realizedPnlSource":"session_end"|"sell_filled","sellLines":N,"pnlUnreadable":TEXT,
"lastSeen":T,"failureCode":CODE,"failureMessage":TEXT,"endUnreadable":FILE:LINE,
"ordersUnread":TEXT}
(null or left out when not known; countedElsewhere: orders placed in this session
counted in another, which settled them; placedElsewhere: of this session's counts,
orders placed in another; realizedPnlSource: its SESSION_END summary, or the sum
of its sellLines SELL_FILLED lines (in the window, with --since/--until);
pnlUnreadable: why realizedPnl is null; endUnreadable: where the session's
SESSION_END line is when it could not be read; ordersUnread: why the counts are
null, an orders log file that could not be read whole)`)}
`;

/**
 * A session without SESSION_END: running, stopped by a signal (alive, running nothing: health's
 * STOPPED), or dead, as its process tells on this host (health's test); unknown elsewhere.
 */
function liveness(r: SessionRow): 'running' | 'stopped' | 'gone' | 'unknown' {
  const process = r.exitReason || r.manifest?.end ? undefined : processState(r.manifest, r.start);
  if (runsHere(process)) return process?.stopped === true ? 'stopped' : 'running';
  return process?.alive === false || process?.reused === true ? 'gone' : 'unknown';
}

function exitText(r: SessionRow): string {
  if (r.exitReason) return `${r.exitReason} (exit ${r.exitCode ?? '?'})`;
  const seen = r.lastSeen ? `, last seen ${utc(r.lastSeen)}` : '';
  // A running bot and a dead one both lacked SESSION_END alike: the runbook sends an operator here before a restart.
  const state = liveness(r);
  const pid = r.manifest?.pid ?? '?';
  if (state === 'running') return `none yet: RUNNING (pid ${pid} on this host)${seen}`;
  if (state === 'stopped') return `none yet: STOPPED by a signal (pid ${pid} on this host: SIGSTOP, or Ctrl-Z in its terminal): it runs nothing until \`kill -CONT ${pid}\`${seen}`;
  // A damaged SESSION_END is an end nobody can read, not a session without one.
  if (r.endUnreadable) return `not known: its SESSION_END line is unreadable (${r.endUnreadable})${seen}`;
  if (state === 'gone') return `no SESSION_END: its process (pid ${r.manifest?.pid ?? '?'}) is gone, it died without a trace${seen}`;
  return `no SESSION_END${seen}`;
}

/** `-31.4417798 USD, 2 EUR`: each currency apart; `0` when it realized nothing in any. */
function amounts(pnl: NonNullable<SessionRow['realizedPnl']>): string {
  const entries = Object.entries(pnl);
  return entries.length === 0 ? '0' : entries.map(([currency, amount]) => `${amount} ${currency}`).join(', ');
}

/** `from its 26 SELL_FILLED lines`: where a PnL without a SESSION_END summary comes from. */
function fromSells(r: SessionRow, windowed: boolean): string {
  const where = windowed ? ' in the window' : '';
  return r.sellLines === 0 ? `no SELL_FILLED line${where}` : `from its ${r.sellLines} SELL_FILLED line${r.sellLines === 1 ? '' : 's'}${where}`;
}

/** `-31.4417798 USD` (each currency apart), with where it comes from when not a SESSION_END summary, or why it is not known. */
function pnlText(r: SessionRow, windowed: boolean): string {
  if (r.realizedPnlSource === 'session_end' && r.realizedPnl !== null) return amounts(r.realizedPnl);
  const summed = r.realizedPnlSource === 'sell_filled' && r.realizedPnl !== null ? `${amounts(r.realizedPnl)} (${fromSells(r, windowed)}` : undefined;
  const state = r.exitReason ? undefined : liveness(r);
  const soFar = summed === undefined ? `; so far unknown: ${r.pnlUnreadable ?? '?'}` : `; so far ${summed})`;
  if (state === 'running') return `not yet (the session is running: its SESSION_END will have it)${soFar}`;
  if (state === 'stopped') return `not yet (the session is stopped, not ended: its SESSION_END will have it)${soFar}`;
  const why = r.endUnreadable ? `its SESSION_END line is unreadable: ${r.endUnreadable}` : r.exitReason ? 'its SESSION_END has no PnL summary' : 'it wrote no SESSION_END';
  if (summed !== undefined) return `${summed}: ${why})`;
  return `unknown (${why}, and ${r.pnlUnreadable ?? 'its SELL_FILLED lines were not read'})`;
}

/** `1 fill, 2 failures`: the intents of one other session. */
function countsText(c: IntentCounts): string {
  const part = (n: number, one: string, many: string): string | undefined => (n === 0 ? undefined : `${n} ${n === 1 ? one : many}`);
  return [part(c.fills, 'fill', 'fills'), part(c.partlyFilled, 'partly filled', 'partly filled'), part(c.failures, 'failure', 'failures')].filter((p) => p !== undefined).join(', ');
}

/** `1 fill, 1 failure by session_X; 2 fills by session_Y`: per other session, in the order met. */
function elsewhereText(counts: ElsewhereCounts, by: string): string {
  return Object.entries(counts).map(([session, c]) => `${countsText(c)} ${by} ${session}`).join('; ');
}

/** ` (41s)`: how long it ran, and how far the wall clock moved meanwhile when that is far off (a step). */
function runLength(r: SessionRow): string {
  const wallMs = r.start && r.end ? Date.parse(r.end) - Date.parse(r.start) : undefined;
  if (r.durationMs === undefined) return wallMs === undefined ? '' : ` (${duration(wallMs)})`;
  const stepped = wallMs !== undefined && Math.abs(wallMs - r.durationMs) > Math.max(5_000, r.durationMs / 10);
  const stamps = wallMs === undefined ? '' : `${duration(Math.abs(wallMs))} ${wallMs < 0 ? 'before' : 'after'}`;
  return ` (${duration(r.durationMs)}${stepped ? `; its end is stamped ${stamps} its start: the wall clock was moved meanwhile` : ''})`;
}

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  const opened = openQuery('sessions', args, rawIo, HELP, {}, 0, { orRefusedStart: true });
  if (!opened.ok) return opened.exitCode;
  const { io, flags: f, set, skipped } = opened;
  const all = await listSessions(set, f.window, skipped, newStats());
  const rows = all.filter((r) => !f.session || r.sessionId === f.session);
  const windowed = f.window.since !== undefined || f.window.until !== undefined;
  if (rows.length === 0) {
    const none = windowed && !f.session ? `no session ran between ${f.window.since ?? 'the start'} and ${f.window.until ?? 'now'} in ${set.logsDir}` : noSessionMatch(all.map((r) => r.sessionId), f.session, set.logsDir, followUpDataDir(f));
    io.stderr.write(`tradetrace sessions: ${none}\n`);
    await reportSkipped(skipped, io);
    return EXIT.notFound;
  }
  if (f.json) {
    for (const r of rows) {
      const { manifest: _m, endUnreadable, ordersUnread, pnlUnreadable, ...plain } = r;
      // Counts from an orders log not read whole are not the session's: null, with why.
      const counts = ordersUnread === undefined ? {} : { fills: null, partlyFilled: null, failures: null, countedElsewhere: null, placedElsewhere: null };
      io.stdout.write(`${JSON.stringify({ ...plain, ...counts, pnlUnreadable: pnlUnreadable ?? null, endUnreadable: endUnreadable ?? null, ordersUnread: ordersUnread ?? null })}\n`);
    }
  } else {
    const out = [f.style.bold(`${rows.length} session${rows.length === 1 ? '' : 's'}:`)];
    for (const r of rows) {
      const length = runLength(r);
      const ended = r.exitReason ? exitText(r) : f.style.red(exitText(r));
      out.push(`  ${f.style.bold(r.sessionId)}  ${r.mode ?? '?'}  ${r.start ? utc(r.start) : '?'} -> ${r.end ? utc(r.end) : '?'}${length}`);
      // With --since/--until the counts are of the lines in the window, not the session's totals.
      const orders = r.ordersUnread === undefined
        ? `fills ${r.fills}${r.partlyFilled > 0 ? ` (+${r.partlyFilled} partly filled, order still open)` : ''}  failures ${r.failures}`
        : `fills ${f.style.red('unknown')}  failures ${f.style.red('unknown')}`;
      out.push(`      exit: ${ended}  config ${r.configHash ?? '?'}  decisions ${r.decisions}  ${orders}${windowed ? ' (in the window)' : ''}`);
      if (r.ordersUnread !== undefined) out.push(`      fills and failures unknown: ${r.ordersUnread}`);
      else {
        // An intent is counted in the one session that booked it: the other session it spans says where it went.
        if (r.placedElsewhere) out.push(`      counted here, settled in this session (as at a restart): ${elsewhereText(r.placedElsewhere, 'of orders placed by')}`);
        if (r.countedElsewhere) out.push(`      not counted here, of orders placed here: ${elsewhereText(r.countedElsewhere, 'settled and counted by')}`);
      }
      const why = [r.failureCode, r.failureMessage].filter((part) => part !== null);
      // A refused start never traded: its PnL is not unknown, there is none, and why is the news.
      if (r.exitReason === 'refused') out.push(`      refused before trading: ${why.length > 0 ? why.join(': ') : 'no reason recorded'}`);
      else {
        out.push(`      realized PnL: ${pnlText(r, windowed)}`);
        if (why.length > 0) out.push(`      why: ${why.join(': ')}`);
      }
    }
    io.stdout.write(`${out.join('\n')}\n`);
  }
  await reportSkipped(skipped, io);
  return EXIT.found;
}
