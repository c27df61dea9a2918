import type { Decimal } from '../domain/decimal.js';
import type { Recorder } from '../recorder/recorder.js';
import type { PositionRecord } from '../store/records.js';

export interface StartingBooks {
  /** Open positions as the session starts (after restart reconciliation). */
  readonly positions: readonly PositionRecord[];
  /** What the account holds of trading.quote_currency. */
  readonly quoteBalance: Decimal;
  readonly quoteCurrency: string;
  readonly tradedSymbols: readonly string[];
  readonly maxOpenPositions: number;
}

/** What a start warning is about; written as `data.start_warning` of its LOG line. */
export type StartWarningCode =
  /** A position in a symbol this session does not trade: no exit rule runs on it. */
  | 'held_not_traded'
  /** The account holds none of the quote currency: every buy is refused. */
  | 'no_quote_balance'
  /** A setting the operator gave is not what runs (replaced by another, or ignored by this command). */
  | 'setting_not_run'
  /** paper-cursor.json is gone from a directory where bars were decided: resumed from the decision log. */
  | 'cursor_missing';

const CODES: readonly StartWarningCode[] = ['held_not_traded', 'no_quote_balance', 'setting_not_run', 'cursor_missing'];

function isStartWarningCode(value: unknown): value is StartWarningCode {
  return CODES.some((code) => code === value);
}

/** Something the session, as it starts, will not do that its settings led the operator to expect. */
export interface StartWarning {
  readonly code: StartWarningCode;
  /** LOG's component. */
  readonly component: string;
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * What a restart with changed settings leaves the bot unable to do: a position in a symbol this
 * session does not trade gets no bar, so no exit rule can ever fire on it, yet it counts toward
 * max_open_positions; an account with none of the quote currency refuses every buy
 * (starting_quote_balance funds only a new account).
 */
export function startWarnings(books: StartingBooks): StartWarning[] {
  const warnings: StartWarning[] = [];
  const traded = new Set(books.tradedSymbols);
  for (const position of books.positions) {
    if (traded.has(position.symbol)) continue;
    warnings.push({
      code: 'held_not_traded', component: 'startup',
      message: `${position.symbol} ${position.qty.toString()} (${position.decisionId}) is held but not traded this session (${books.tradedSymbols.join(', ')}): no bar of it comes, so no exit rule can fire on it, and it counts toward trading.max_open_positions (${books.maxOpenPositions}); trade ${position.symbol} again to manage it`,
      data: { symbol: position.symbol, qty: position.qty.toString(), decision_id: position.decisionId, traded: [...books.tradedSymbols] },
    });
  }
  if (books.quoteBalance.isZero()) {
    warnings.push({
      code: 'no_quote_balance', component: 'startup',
      message: `the account holds no ${books.quoteCurrency} (trading.quote_currency): every buy will be refused (insufficient_balance); trading.starting_quote_balance funds only a new account (a fresh --data-dir)`,
      data: { quote_currency: books.quoteCurrency },
    });
  }
  return warnings;
}

/**
 * Says the start warnings once as the session starts, each a LOG line at warn, and returns them.
 * Both went unsaid; then they were said only in system.jsonl, which an operator watching the
 * terminal does not read: `watchStartWarnings` gives the command the same warnings to print.
 */
export function warnAtStart(recorder: Recorder, books: StartingBooks): readonly StartWarning[] {
  const warnings = startWarnings(books);
  for (const warning of warnings) emitStartWarning(recorder, warning);
  return warnings;
}

/** One start warning as its LOG line (warn), tagged `data.start_warning` so the command can show it too. */
export function emitStartWarning(recorder: Recorder, warning: StartWarning): void {
  recorder.emit('LOG', { component: warning.component, message: warning.message, data: { ...warning.data, start_warning: warning.code } }, { level: 'warn' });
}

export interface StartWarningWatch {
  /** The start warnings written so far, in order. */
  readonly warnings: readonly StartWarning[];
  /** Stops collecting. */
  stop(): void;
}

/**
 * Collects every start warning written through `recorder` from now until `stop()`: what the
 * terminal shows is what the log says, from the same LOG lines, whichever part of the start wrote
 * them (the session is opened in one call that returns only the session).
 */
export function watchStartWarnings(recorder: Recorder): StartWarningWatch {
  const warnings: StartWarning[] = [];
  const stop = recorder.onLine((type, fields) => {
    if (type !== 'LOG') return;
    const data = fields['data'];
    if (typeof data !== 'object' || data === null) return;
    const code = (data as Record<string, unknown>)['start_warning'];
    if (!isStartWarningCode(code)) return;
    const component = fields['component'];
    warnings.push({ code, component: typeof component === 'string' ? component : '', message: String(fields['message']), data: data as Record<string, unknown> });
  });
  return { warnings, stop };
}
