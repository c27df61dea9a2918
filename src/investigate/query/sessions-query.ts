import { join } from 'node:path';
import { readConfigHash, readSessionConfig } from '../../recorder/sessions/session-config-files.js';
import { SESSIONS_DIR } from '../../recorder/sessions/session-dir.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { forEachEvent, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { lastSessionLine } from './last-line.js';
import { readManifests, type LogSet, type SessionManifest } from './log-set.js';
import { manifestFailure } from './manifest-failure.js';
import { OrdersTally, type IntentSummary } from './orders-tally.js';
import { countingSession, countOf, noteElsewhere, placingSession, type ElsewhereCounts } from './intent-session.js';
import { SessionSellsTally, sellsPnl, sellWithoutLine } from './session-sells.js';
import { DecisionsReader, SESSIONS_TYPES, type DecisionsReadOptions } from './sessions-decisions.js';
import { realizedPnl, type PnlByCurrency } from './session-pnl.js';
import type { SkippedLines } from './skipped-lines.js';
import { damagedLines, lineAt } from './damaged-lines.js';
import { readableFields, type LineFields } from './line-fields.js';
import { ordersNotReadWhole, unreadOrdersText } from './orders-unread.js';

export interface SessionRow {
  readonly sessionId: string;
  start: string | undefined;
  end: string | undefined;
  /**
   * How long it ran, from SESSION_END (else the manifest): measured on the monotonic clock, so true
   * where `end - start` is not, after the wall clock was stepped during the session.
   */
  durationMs: number | undefined;
  /** SESSION_END's reason, else the manifest's, else null: the session did not end cleanly (or is running). */
  exitReason: string | null;
  exitCode: number | null;
  /**
   * What failed, from SESSION_END (reasons error, refused, fatal), else from the manifest: why a
   * session stopped or never traded. A start refused because its logs could not be opened has only the manifest.
   */
  failureCode: string | null;
  failureMessage: string | null;
  mode: string | undefined;
  configHash: string | undefined;
  decisions: number;
  /**
   * Order intents that filled, and that failed, by their final verdict, as `orders` tells them (the
   * same OrdersTally): an intent is one fill however many ORDER_FILLED lines it has, and a fill found
   * after the router gave up on it is a fill, not a failure. Each is counted in one session, the one
   * that booked it (see countingSession): an order a killed session placed and its restart found
   * filled is the restart's fill, so the sessions' fills add up to the fills.
   */
  fills: number;
  /**
   * Intents with a fill whose order still rests on the exchange (PARTLY FILLED in `orders`): no
   * final verdict, so not in `fills`, but the bot holds what they bought and its summary counted it.
   */
  partlyFilled: number;
  failures: number;
  /** Intents placed in this session but counted in another (which booked their fill or failure), per that session; null: none. */
  countedElsewhere: ElsewhereCounts | null;
  /** Of this session's counts, the intents placed in another session (a restart settling a killed one's), per that session; null: none. */
  placedElsewhere: ElsewhereCounts | null;
  /**
   * The session's realized PnL, per currency (never summed across them): from its SESSION_END
   * summary (the whole session's, with or without a window), else summed from its SELL_FILLED lines
   * (`realizedPnlSource`). Null: unknown, a SELL_FILLED line of it is unreadable or a filled sell has
   * none (`pnlUnreadable`); or a refused start, which never traded.
   */
  realizedPnl: PnlByCurrency | null;
  /**
   * Where `realizedPnl` comes from: 'session_end' (its summary), 'sell_filled' (the sum of its
   * SELL_FILLED lines, `sellLines` of them, those in the window with --since/--until: the session
   * wrote no SESSION_END, is still running, or its SESSION_END has no PnL summary); null when unknown.
   */
  realizedPnlSource: 'session_end' | 'sell_filled' | null;
  /** SELL_FILLED lines of the session read (in the window). */
  sellLines: number;
  /** Why the PnL from SELL_FILLED lines is not known: the unreadable line (orders.jsonl:7), or a filled sell without its SELL_FILLED. */
  pnlUnreadable: string | undefined;
  /**
   * Where the session's SESSION_END line is, when no SESSION_END of it could be read but a damaged
   * one was met (audit.jsonl:5): its PnL and end are then unknown because the line is unreadable,
   * not because it lacks them.
   */
  endUnreadable: string | undefined;
  /**
   * Why `fills`, `partlyFilled` and `failures` are not known: an orders log file could not be read
   * (whole). They count what could be read, which is not the session's answer.
   */
  ordersUnread: string | undefined;
  /** The ts of the session's last line in any channel (as health finds it), within the window. */
  lastSeen: string | undefined;
  manifest: SessionManifest | undefined;
}

/**
 * Every field `sessions` reads from a line of its own types, by type: a line that fails is reported
 * as unreadable and left out. (Order lines are read by OrdersTally, as `orders` reads them.)
 */
export const SESSIONS_FIELDS: LineFields = {
  SESSION_START: { mode: 'string', config_hash: 'string' },
  SESSION_END: { reason: 'string', exit_code: 'integer', duration_ms: 'number', summary: 'object?', error_code: 'string?', message: 'string?' },
  CONFIG_HASH: { config_hash: 'string' },
  SELL_FILLED: { symbol: 'string', realized_pnl: 'number' },
};

/** The line types `sessions` reads: SELL_FILLED (orders channel) for the PnL of a session without a SESSION_END summary. */
const TYPES = [...SESSIONS_TYPES, 'SELL_FILLED'] as const;

/** The session's quote currency, from the config it logged beside its logs (sessions/<id>/config.json). */
function quoteOf(dataDir: string, sessionId: string): string | undefined {
  const read = readSessionConfig(join(dataDir, SESSIONS_DIR, sessionId));
  const trading = read.ok ? read.value['trading'] : undefined;
  const quote = trading !== null && typeof trading === 'object' ? (trading as Record<string, unknown>)['quote_currency'] : undefined;
  return typeof quote === 'string' && quote !== '' ? quote : undefined;
}

/** Whether a session's run (start to end; still running: to now) meets the window. */
function overlaps(m: SessionManifest, window: TimeWindow): boolean {
  if (window.since && m.end && m.end < window.since) return false;
  if (window.until && m.start && m.start > window.until) return false;
  return true;
}

/** Every session from the logs (start, end, config, counts), completed by its manifest when present. */
export async function listSessions(set: LogSet, window: TimeWindow, skipped: SkippedLines, stats: SearchStats, options: DecisionsReadOptions = {}): Promise<SessionRow[]> {
  const rows = new Map<string, SessionRow>();
  const manifests = readManifests(set.dataDir);
  const ended = new Set<string>();
  const row = (id: string): SessionRow => {
    let r = rows.get(id);
    if (!r) {
      const m = manifests.get(id);
      const failure = manifestFailure(m);
      r = { sessionId: id, start: m?.start, end: m?.end ?? undefined, durationMs: m?.duration_ms ?? undefined, exitReason: m?.exit_reason ?? null, exitCode: m?.exit_code ?? null, failureCode: failure?.code ?? null, failureMessage: failure?.message ?? null, mode: m?.mode, configHash: undefined, decisions: 0, fills: 0, partlyFilled: 0, failures: 0, countedElsewhere: null, placedElsewhere: null, realizedPnl: null, realizedPnlSource: null, sellLines: 0, pnlUnreadable: undefined, endUnreadable: undefined, ordersUnread: undefined, lastSeen: undefined, manifest: m };
      rows.set(id, r);
    }
    return r;
  };
  // Order lines go through the tally `orders` uses, so an intent counts once, by its final verdict,
  // in the one session that booked it; the session that placed it, when another, says where it went.
  const countIntent = (s: IntentSummary): void => {
    const kind = countOf(s);
    const counted = kind === undefined ? undefined : countingSession(s);
    if (kind === undefined || counted === undefined) return;
    row(counted)[kind]++;
    const placed = placingSession(s);
    if (placed === undefined || placed === counted) return;
    row(placed).countedElsewhere = noteElsewhere(row(placed).countedElsewhere, kind, counted);
    row(counted).placedElsewhere = noteElsewhere(row(counted).placedElsewhere, kind, placed);
  };
  const orders = new OrdersTally({}, 0, countIntent);
  const sells = new SessionSellsTally(skipped);
  const needles = eventNeedles(TYPES);
  const onEvent = (e: LocatedEvent): void => {
    if (!readableFields(e, SESSIONS_FIELDS, skipped)) return;
    const { event } = e;
    const r = row(event.session_id);
    if (!r.lastSeen || event.ts > r.lastSeen) r.lastSeen = event.ts;
    switch (event.event_type) {
      case 'SESSION_START':
        // The manifest's start is the instant the session's duration_ms is measured from (the line is
        // written milliseconds later, after the session directory and config lines); a window that
        // leaves this line out shows the manifest's anyway: one start, with or without --since.
        r.start = r.manifest?.start ?? event.ts;
        r.mode = event.mode;
        r.configHash ??= event.config_hash;
        break;
      case 'SESSION_END':
        ended.add(event.session_id);
        r.end = event.ts;
        r.durationMs = event.duration_ms;
        r.exitReason = event.reason;
        r.exitCode = event.exit_code;
        r.failureCode = event.error_code ?? null;
        r.failureMessage = event.message ?? null;
        r.realizedPnl = realizedPnl(event.summary);
        break;
      case 'CONFIG_HASH':
        r.configHash = event.config_hash;
        break;
      case 'DECISION_END':
        r.decisions++;
        break;
      case 'SELL_FILLED':
        sells.addSell(e);
        break;
      default:
        sells.addOrderLine(e);
        orders.add(e);
        break;
    }
  };
  // Rotated decisions files (nearly all the bytes) may be answered by their cached summaries; the
  // files are still taken in the set's order, so rows are created in the same order as by a scan.
  const decisions = new DecisionsReader(set, window, skipped, stats, options);
  const onEnds = (session: string, ends: { count: number; lastTs: string }): void => {
    const r = row(session);
    r.decisions += ends.count;
    if (!r.lastSeen || ends.lastTs > r.lastSeen) r.lastSeen = ends.lastTs;
  };
  for (const file of filesOf(set, ['audit', 'decisions', 'orders'])) {
    if (file.channel === 'decisions') await decisions.read(file, { onEvent, onEnds });
    else await forEachEvent(set, needles, { window, files: [file], skipped, stats }, onEvent);
  }
  decisions.finish();
  orders.end();
  // A session known only from its manifest is listed when its run overlaps the window (always, without one).
  for (const [id, m] of manifests) if (overlaps(m, window)) row(id);
  // CONFIG_HASH is the session's first line: a window starting later leaves it out, the session's file does not.
  for (const r of rows.values()) r.configHash ??= readConfigHash(join(set.dataDir, SESSIONS_DIR, r.sessionId));
  // The lines counted above are a few types of three channels; a session's last words may be a
  // heartbeat in system.jsonl or a decision that never ended. SESSION_END is the last line the
  // recorder writes, so only the sessions without one are read backwards for their last line.
  for (const r of rows.values()) {
    if (ended.has(r.sessionId)) continue;
    const last = lastSessionLine(set, r.sessionId)?.ts;
    const inWindow = last !== undefined && (!window.since || last >= window.since) && (!window.until || last <= window.until);
    if (inWindow && (!r.lastSeen || last > r.lastSeen)) r.lastSeen = last;
  }
  // A session whose SESSION_END was not read may have one that is damaged: said so, with where.
  for (const r of rows.values()) {
    const damaged = ended.has(r.sessionId) ? undefined : damagedLines(skipped, 'audit', 'SESSION_END', r.sessionId)[0];
    if (damaged) r.endUnreadable = await lineAt(damaged);
  }
  // A session whose SESSION_END gives no PnL (killed, running, a summary without it): the sum of its
  // SELL_FILLED lines, unless one of them is unreadable, or a sell it filled has none (killed between).
  const windowed = window.since !== undefined || window.until !== undefined;
  for (const r of rows.values()) {
    const own = sells.sells(r.sessionId);
    r.sellLines = own?.lines ?? 0;
    if (r.realizedPnl !== null) {
      r.realizedPnlSource = 'session_end';
      continue;
    }
    // A refused start never traded: no PnL to sum (sessions says why it was refused instead).
    if (r.exitReason === 'refused') continue;
    const damaged = damagedLines(skipped, 'orders', 'SELL_FILLED', r.sessionId);
    const first = damaged[0];
    const missing = windowed ? undefined : sellWithoutLine(own);
    if (first) r.pnlUnreadable = `its SELL_FILLED line ${await lineAt(first)} is unreadable${damaged.length > 1 ? ` (and ${damaged.length - 1} more)` : ''}`;
    else if (missing) {
      r.pnlUnreadable = `its sell of intent ${missing.event.intent_id ?? '?'} filled (ORDER_FILLED ${await lineAt({ file: missing.file, offset: missing.offset, code: '', message: '', excerpt: '' })}) but has no SELL_FILLED: the bot stopped between the two, and that fill's PnL is on no line`;
    } else {
      r.realizedPnl = sellsPnl(own, quoteOf(set.dataDir, r.sessionId));
      r.realizedPnlSource = 'sell_filled';
    }
  }
  // Fills and failures come from the orders log alone: one it could not read makes them unknown, not 0.
  const unread = ordersNotReadWhole(set);
  if (unread.length > 0) for (const r of rows.values()) r.ordersUnread = `could not read ${unreadOrdersText(unread)}`;
  // In start order: the manifests' sequence first (a session started after the clock was set back is
  // stamped before the one it followed), then the start stamp, for sessions without a sequence.
  const startOrder = (r: SessionRow): number => r.manifest?.sequence ?? 0;
  return [...rows.values()].sort((a, b) => startOrder(a) - startOrder(b) || ((a.start ?? a.sessionId) < (b.start ?? b.sessionId) ? -1 : 1));
}
