import { dataDirArg, shellWord } from '../../domain/shell-word.js';
import type { WhyReport } from '../query/why-query.js';
import type { Style } from './style.js';
import { ago, utc } from './time-format.js';
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
      ? `the window may miss the sessions (tradetrace sessions${dir} lists when each ran), or the decision loop did not run then; check tradetrace health${dir}`
      : `the decision loop did not run or wrote nothing; check tradetrace health${dir}`;
    return `no decisions${scope}: ${hint}\n`;
  }
  const known = [...report.symbols].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = known.slice(0, SYMBOLS_SHOWN).map(([s, n]) => `${s} (${n})`).join(', ');
  const more = known.length > SYMBOLS_SHOWN ? `, and ${known.length - SYMBOLS_SHOWN} more` : '';
  return `no decisions${scope}; decisions were made for ${shown}${more}\n`;
}

/** `dataDir`: the directory to name in the follow-up command, when it is not the one it would use anyway. */
export function renderWhy(report: WhyReport, scope: string, style: Style, nowMs: number, dataDir: string | undefined): string {
  const out: string[] = [];
  const filled = report.outcomes.get('filled') ?? 0;
  out.push(style.bold(`${report.decisions} decision${report.decisions === 1 ? '' : 's'}${scope}: ${filled} bought`));
  // A late fill is a buy like any other, but a trace of it shows a decision that ended failed: say why.
  const late = report.filledLate > 0 ? ` (${report.filledLate} after the decision ended failed: the exchange filled the order late)` : '';
  const parts = ORDER.filter((o) => report.outcomes.has(o)).map((o) => `${o} ${report.outcomes.get(o) ?? 0}${o === 'filled' ? late : ''}`);
  out.push(`by outcome: ${parts.join(', ')}`);
  if (report.lastDecision) out.push(`latest decision started ${utc(report.lastDecision.event.ts)} (${ago(report.lastDecision.event.ts, nowMs)})`);
  if (report.guards.length > 0) {
    out.push('');
    out.push(style.bold('blocked by guard (observed value against threshold):'));
    for (const g of report.guards) {
      const values = g.values.slice(0, 3).map((v) => `${v.observed} vs ${v.threshold}${g.values.length > 1 ? ` (${v.count}x)` : ''}`).join('; ');
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
  const top = report.guards[0];
  if (top) out.push(`\nnext: tradetrace trace ${shellWord(top.latest.event.decision_id ?? '')}${dataDirArg(dataDir)}`);
  return `${out.join('\n')}\n`;
}
