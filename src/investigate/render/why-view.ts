import { dataDirArg, shellWord } from '../../domain/shell-word.js';
import type { UndecidedSession } from '../query/undecided-sessions.js';
import type { WhyReport } from '../query/why-query.js';
import { REPLAY_WINDOW_NOTE } from './empty-answer.js';
import type { Style } from './style.js';
import { ago, duration, utc } from './time-format.js';
import { raw, text } from './values.js';

const ORDER = ['filled', 'blocked', 'no_signal', 'failed', 'error', 'unfinished'] as const;
const SYMBOLS_SHOWN = 10;

/**
 * Why there is nothing to tell. A symbol with no decisions is most often a misspelling (BTC/USDT on
 * a bot trading BTC/USD): the symbols that do have decisions say so, where "the loop did not run"
 * would send the operator after a healthy bot.
 */
export function renderNoDecisions(report: WhyReport, symbol: string | undefined, scope: string, windowed: boolean, dataDir: string | undefined): string {
  if (symbol === undefined || report.symbols.size === 0) {
    const dir = dataDirArg(dataDir);
    // Nothing in a time window is most often a window that missed the sessions, not a hung bot.
    const hint = windowed
      ? `the window may miss the sessions (tradetrace sessions${dir} lists when each ran; ${REPLAY_WINDOW_NOTE}), or the decision loop did not run then; check tradetrace health${dir}`
      : `the decision loop did not run or wrote nothing; check tradetrace health${dir}`;
    return `no decisions${scope}: ${hint}\n`;
  }
  const known = [...report.symbols].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = known.slice(0, SYMBOLS_SHOWN).map(([s, n]) => `${s} (${n})`).join(', ');
  const more = known.length > SYMBOLS_SHOWN ? `, and ${known.length - SYMBOLS_SHOWN} more` : '';
  return `no decisions${scope}; decisions were made for ${shown}${more}\n`;
}

/** Guards whose observed value and threshold are milliseconds (BUY_BLOCKED logs them as numbers). */
const GUARDS_IN_MS = new Set(['cooldown', 'stale_data']);

/** A guard's value as the operator reads it: `4m 10s vs 5m 00s`, not `250000 vs 300000`. */
function guardValue(guard: string, value: string): string {
  const ms = GUARDS_IN_MS.has(guard) && /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(ms) ? duration(ms) : value;
}

/** Outcomes, the latest decision, the guards and the latest other outcomes, after a heading line of the caller's. */
function reportLines(report: WhyReport, style: Style, nowMs: number): string[] {
  const out: string[] = [];
  // A late fill is a buy like any other, but a trace of it shows a decision that ended failed: say why.
  const late = report.filledLate > 0 ? ` (${report.filledLate} after the decision ended failed: the exchange filled the order late)` : '';
  const parts = ORDER.filter((o) => report.outcomes.has(o)).map((o) => `${o} ${report.outcomes.get(o) ?? 0}${o === 'filled' ? late : ''}`);
  out.push(`by outcome: ${parts.join(', ')}`);
  if (report.lastDecision) out.push(`latest decision started ${utc(report.lastDecision.event.ts)} (${ago(report.lastDecision.event.ts, nowMs)})`);
  if (report.guards.length > 0) {
    out.push('');
    out.push(style.bold('blocked by guard (observed value against threshold):'));
    for (const g of report.guards) {
      const values = g.values.slice(0, 3).map((v) => `${guardValue(g.guard, v.observed)} vs ${guardValue(g.guard, v.threshold)}${g.values.length > 1 ? ` (${v.count}x)` : ''}`).join('; ');
      out.push(`  ${style.red(g.guard.padEnd(24))} ${String(g.count).padStart(5)}x  ${values}${g.values.length > 3 ? `; +${g.values.length - 3} more` : ''}`);
      out.push(`  ${''.padEnd(24)}        latest: ${g.latest.event.decision_id ?? '?'} at ${utc(g.latest.event.ts)}: ${raw(g.latest, 'message')}`);
    }
  }
  const others = ['failed', 'error', 'no_signal'].filter((o) => report.latestByOutcome.has(o));
  if (others.length > 0) {
    out.push('');
    for (const o of others) {
      const e = report.latestByOutcome.get(o);
      if (e) out.push(`latest ${o}: ${e.event.decision_id ?? '?'} at ${utc(e.event.ts)}${text(e, 'reason') ? `: ${text(e, 'reason')}` : ''}`);
    }
  }
  return out;
}

const bought = (report: WhyReport): string => `${report.decisions} decision${report.decisions === 1 ? '' : 's'}`;

/**
 * The decision to trace next: the latest refusal of the top guard, else the latest failed, errored or
 * signal-less decision, else the latest decision; undefined when none has an id.
 */
function nextDecision(report: WhyReport): string | undefined {
  const line = report.guards[0]?.latest ?? report.latestByOutcome.get('failed') ?? report.latestByOutcome.get('error') ?? report.latestByOutcome.get('no_signal') ?? report.lastDecision;
  const id = line?.event.decision_id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * `dataDir`: the directory to name in the follow-up command, when it is not the one it would use anyway.
 * When decisions of more than one session match, the latest session's answer comes first (what blocks
 * the bot now: totals over every session can lead with an older session's guard), then the totals, and
 * `next:` traces a decision of the latest session.
 */
export function renderWhy(report: WhyReport, scope: string, style: Style, nowMs: number, dataDir: string | undefined): string {
  const out: string[] = [];
  const filled = (r: WhyReport): number => r.outcomes.get('filled') ?? 0;
  const latest = report.latestSession;
  const mixed = latest !== undefined && latest.report.decisions < report.decisions;
  if (latest && mixed) {
    out.push(style.bold(`latest session ${latest.sessionId}: ${bought(latest.report)}${scope}: ${filled(latest.report)} bought`));
    out.push(...reportLines(latest.report, style, nowMs));
    out.push('', style.bold(`all sessions: ${bought(report)}${scope}: ${filled(report)} bought`));
  } else out.push(style.bold(`${bought(report)}${scope}: ${filled(report)} bought`));
  out.push(...reportLines(report, style, nowMs));
  const next = mixed ? nextDecision(latest.report) : report.guards[0] ? nextDecision(report) : undefined;
  if (next) out.push(`\nnext: tradetrace trace ${shellWord(next)}${dataDirArg(dataDir)}`);
  return `${out.join('\n')}\n`;
}

/**
 * A session that decided nothing, said where the decisions alone would mislead: a replay of candles
 * older than the data directory's clock only warms the indicators, and looked like a decision loop
 * that did not run, with the session before it answering as the latest.
 */
export function undecidedLine(session: UndecidedSession, dataDir: string | undefined): string {
  const dir = dataDirArg(dataDir);
  const { bars, warmupBars } = session;
  let why: string;
  if (bars !== undefined && bars > 0 && warmupBars !== undefined && warmupBars >= bars) {
    why = `its ${bars} bars only warmed the indicators (at or before where this data directory stood: decided by an earlier session, or older than its clock); replay into a fresh --data-dir to decide them`;
  } else if (bars === 0) {
    why = `it was fed no bar (it ended ${session.exitReason ?? 'without SESSION_END'})`;
  } else if (session.exitReason === 'refused') {
    why = `it was refused before trading (tradetrace sessions${dir} says why)`;
  } else if (session.exitReason === undefined) {
    why = `it has no SESSION_END: it is running or died; check tradetrace health${dir}`;
  } else {
    why = `it ended ${session.exitReason} (tradetrace sessions${dir} says more)`;
  }
  return `session ${session.sessionId} decided nothing: ${why}\n`;
}
