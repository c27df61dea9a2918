import { pastedId } from '../../domain/ids.js';
import { dataDirArg, shellWord } from '../../domain/shell-word.js';
import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { noOrdersLogRead } from '../../investigate/query/orders-unread.js';
import { AMBIGUOUS_SHOWN } from '../../investigate/render/ambiguous-ids.js';
import { narrowedBy, REPLAY_WINDOW_NOTE } from '../../investigate/render/empty-answer.js';
import { COMMON_HELP } from '../../investigate/cli/common-options.js';
import { reportSkipped, unknownSession } from '../../investigate/cli/finish.js';
import { followQuery } from '../../investigate/cli/follow-query.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { newStats } from '../../investigate/query/find-events.js';
import { findOrders, INTENT_LOOKBACK_MS, ORDER_STATUSES, type OrdersWindowCuts, type OrderStatus } from '../../investigate/query/orders-query.js';
import type { TimeWindow } from '../../investigate/query/find-events.js';
import type { IntentSummary } from '../../investigate/query/orders-tally.js';
import { renderOrders } from '../../investigate/render/orders-view.js';
import { intentsCutNote, startedEarlierNote, windowCutNote } from '../../investigate/render/window-cut.js';
import { openQueryLogs, startQuery } from '../../investigate/cli/query-start.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace orders [--intent ID] [--symbol S] [--status ${ORDER_STATUSES.join('|')}] [--limit N] [--follow]

Order intents with every attempt's constraints (ORDER_CONTEXT) and outcome; failures grouped by reason.
  --intent ID   one intent (int_..., a prefix is enough when it matches one intent; one that
                matches several is refused, listing them)
  --symbol S    e.g. BTC/USDT
  --status S    filled, failed, canceled, open (no final state yet) or retried; an order a killed
                bot left in flight has the outcome the restart's reconciliation found (ORDER_RECONCILED);
                an order that filled in part and still rests on the exchange (a GTC order) is open,
                shown as PARTLY FILLED with its quantity so far, until it fills, is canceled or expires
  --limit N     intents listed in detail (default 20, the latest); with --json, the lines of the
                latest N intents (without --limit, --json prints every matching intent)
  --follow      keep printing new order lines
With --session, an intent is listed whole when any of its lines is in that session: the one that
placed it, or the restart that settled it by reconciliation. With --since/--until, an intent with a
line in the window is listed whole (a verdict from part of its lines would be wrong: lines from up to
an hour before --since are read for it, every line with --intent), and stderr says so; stderr
also names an intent that began earlier still, listed from its later lines.
${COMMON_HELP}
`;

/** What an id of another kind is, and the command that takes it; null for what may be an intent id. */
function otherIdKind(id: string, dataDir: string | undefined): string | null {
  if (id.startsWith('dec_')) return `is a decision id, not an order intent id: see it with tradetrace trace ${shellWord(id)}${dataDirArg(dataDir)} (it shows the decision's orders too)`;
  if (id.startsWith('session_')) return `is a session id, not an order intent id: give it as --session ${shellWord(id)}`;
  return null;
}

/** `orders`' answer to an --intent prefix that matches several intents (sorted ids), for stderr. */
function ambiguousIntents(prefix: string, ids: readonly string[]): string {
  const shown = ids.slice(0, AMBIGUOUS_SHOWN).map((id) => `  ${id}\n`).join('');
  const rest = ids.length - AMBIGUOUS_SHOWN;
  return `tradetrace orders: --intent "${prefix}" matches ${ids.length} order intents; give more of the id:\n${shown}${rest > 0 ? `  and ${rest} more\n` : ''}`;
}

function isStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** What the window cut from the intents shown. A short --intent prefix matches many: the first few say it, then a count. */
function windowNotes(cuts: OrdersWindowCuts, window: TimeWindow): string[] {
  const notes = cuts.intents.slice(0, 3).map((cut) => windowCutNote('intent', cut.id, cut.outside, window));
  if (cuts.intents.length > 3) notes.push(`and ${cuts.intents.length - 3} more intents with lines outside the window, shown whole too`);
  if (cuts.listedWhole > 0) notes.push(intentsCutNote(cuts.listedWhole, window));
  if (cuts.startedEarlier.length > 0 && window.since !== undefined) notes.push(startedEarlierNote(cuts.startedEarlier, window.since, INTENT_LOOKBACK_MS));
  return notes;
}

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  const start = startQuery('orders', args, rawIo, HELP, { intent: { type: 'string' }, symbol: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, follow: { type: 'boolean' } }, 0);
  if (!start.ok) return start.exitCode;
  const { io, guarded, flags: f } = start;
  const status = f.values['status'];
  if (typeof status === 'string' && !isStatus(status)) {
    io.stderr.write(`tradetrace orders: --status ${JSON.stringify(status)}: expected one of ${ORDER_STATUSES.join(', ')}\n`);
    return EXIT.usage;
  }
  const limitText = f.values['limit'];
  const limit = typeof limitText === 'string' ? Number(limitText) : 20;
  if (!Number.isInteger(limit) || limit < 0) {
    io.stderr.write(`tradetrace orders: --limit ${JSON.stringify(limitText)}: expected a whole number of intents\n`);
    return EXIT.usage;
  }
  const given = f.values['intent'];
  const intent = typeof given === 'string' ? pastedId(given) : given;
  const wrongKind = typeof intent === 'string' ? otherIdKind(intent, followUpDataDir(f)) : null;
  if (typeof intent === 'string' && wrongKind) {
    io.stderr.write(`tradetrace orders: --intent "${intent}" ${wrongKind}\n`);
    return EXIT.usage;
  }
  // --json prints every matching intent as it settles, unless --limit says how many (the latest).
  const jsonLimit = f.json && typeof limitText === 'string';
  const logs = openQueryLogs('orders', f.dataDir, io, { wholeLines: f.values['follow'] === true });
  if (!logs.ok) return logs.exitCode;
  const { set, skipped } = logs;
  const stats = newStats();
  const symbol = f.values['symbol'];
  const report = await findOrders(set, {
    window: f.window,
    ...(typeof intent === 'string' ? { intent } : {}),
    ...(typeof symbol === 'string' ? { symbol } : {}),
    ...(typeof status === 'string' && isStatus(status) ? { status } : {}),
    ...(f.session ? { session: f.session } : {}),
  }, {
    skipped, stats, limit: f.json && !jsonLimit ? 0 : limit,
    ...(f.json && !jsonLimit ? { onIntent: (s: IntentSummary) => { for (const e of s.events) io.stdout.write(`${e.text}\n`); } } : {}),
  });
  if (report.ambiguous && typeof intent === 'string') {
    io.stderr.write(ambiguousIntents(intent, report.ambiguous));
    await reportSkipped(skipped, io);
    return EXIT.usage;
  }
  const unread = report.total === 0 ? noOrdersLogRead(set) : [];
  if (unread.length > 0) {
    for (const file of unread) io.stderr.write(`tradetrace orders: cannot read ${file.path}: ${file.reason}${file.errno ? ` (${file.errno})` : ''}\n`);
    return EXIT.unreadable;
  }
  for (const note of windowNotes(report.cuts, f.window)) io.stderr.write(`tradetrace orders: ${note}\n`);
  if (jsonLimit) {
    for (const s of report.latest) for (const e of s.events) io.stdout.write(`${e.text}\n`);
    const left = report.total - report.latest.length;
    if (left > 0) io.stderr.write(`tradetrace orders: printed the lines of the latest ${report.latest.length} of ${report.total} matching intents (--limit ${limit}); ${left} left out\n`);
  }
  if (!f.json && report.total > 0) io.stdout.write(renderOrders(report, f.style));
  else if (report.total === 0) {
    // A --session that names no session at all is a typo to point out, not an empty result.
    const unknown = await unknownSession(set, skipped, f.session, report.sessions, followUpDataDir(f));
    const narrowed = narrowedBy({ intent: textOf(intent), symbol: textOf(symbol), status: textOf(status), session: f.session }, f.window);
    const windowNote = f.window.since !== undefined || f.window.until !== undefined ? `; ${REPLAY_WINDOW_NOTE}` : '';
    io.stderr.write(`tradetrace orders: ${unknown ?? `no order intents match${narrowed} in ${set.files.length} log files of ${set.logsDir}${windowNote}`}\n`);
    if (unknown) {
      await reportSkipped(skipped, io);
      return EXIT.notFound;
    }
  }
  if (f.values['follow'] === true) {
    await reportSkipped(skipped, io);
    const needles = typeof intent === 'string' ? [`"intent_id":"${intent}`] : ['"event_type":"ORDER_'];
    await followQuery({ set, channels: ['orders'], needles, json: f.json, style: f.style, closed: guarded.closedSignal }, io);
    return EXIT.found;
  }
  await reportSkipped(skipped, io);
  return report.total > 0 ? EXIT.found : EXIT.notFound;
}

/** A flag's value when it was given as text. */
function textOf(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
