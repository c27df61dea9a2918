import { join } from 'node:path';
import { readConfigHash } from '../../recorder/sessions/session-config-files.js';
import { SESSIONS_DIR } from '../../recorder/sessions/session-dir.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { forEachEvent, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { lastSessionLine } from './last-line.js';
import { readManifests, type LogSet, type SessionManifest } from './log-set.js';
import { manifestFailure } from './manifest-failure.js';
import { OrdersTally, partlyFilled, type IntentSummary } from './orders-tally.js';
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
   * Order intents with a line in the session that filled, and that failed, by their final verdict,
   * as `orders --session` counts them (the same OrdersTally): an intent is one fill however many
   * ORDER_FILLED lines it has, and a fill found after the router gave up on it is a fill, not a failure.
   */
  fills: number;
  /**
   * Intents with a fill whose order still rests on the exchange (PARTLY FILLED in `orders`): no
   * final verdict, so not in `fills`, but the bot holds what they bought and its summary counted it.
   */
  partlyFilled: number;
  failures: number;
  /**
   * The session's realized PnL, per currency (never summed across them), from its SESSION_END
   * summary: the whole session's, with or without a window. Null: unknown (no SESSION_END, or one
   * without a PnL summary: a session that died, or a mode that writes none).
   */
  realizedPnl: PnlByCurrency | null;
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
};

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
      r = { sessionId: id, start: m?.start, end: m?.end ?? undefined, durationMs: m?.duration_ms ?? undefined, exitReason: m?.exit_reason ?? null, exitCode: m?.exit_code ?? null, failureCode: failure?.code ?? null, failureMessage: failure?.message ?? null, mode: m?.mode, configHash: undefined, decisions: 0, fills: 0, partlyFilled: 0, failures: 0, realizedPnl: null, endUnreadable: undefined, ordersUnread: undefined, lastSeen: undefined, manifest: m };
      rows.set(id, r);
    }
    return r;
  };
  // Order lines go through the tally `orders` uses, so an intent counts once, by its final verdict,
  // in each session it has a line in (the one that placed it, a restart that settled it).
  const countIntent = (s: IntentSummary): void => {
    const partly = partlyFilled(s);
    if (s.status !== 'filled' && s.status !== 'failed' && !partly) return;
    for (const id of new Set(s.events.map((e) => e.event.session_id))) {
      if (s.status === 'filled') row(id).fills++;
      else if (partly) row(id).partlyFilled++;
      else row(id).failures++;
    }
  };
  const orders = new OrdersTally({}, 0, countIntent);
  const needles = eventNeedles(SESSIONS_TYPES);
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
      default:
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
  // Fills and failures come from the orders log alone: one it could not read makes them unknown, not 0.
  const unread = ordersNotReadWhole(set);
  if (unread.length > 0) for (const r of rows.values()) r.ordersUnread = `could not read ${unreadOrdersText(unread)}`;
  // In start order: the manifests' sequence first (a session started after the clock was set back is
  // stamped before the one it followed), then the start stamp, for sessions without a sequence.
  const startOrder = (r: SessionRow): number => r.manifest?.sequence ?? 0;
  return [...rows.values()].sort((a, b) => startOrder(a) - startOrder(b) || ((a.start ?? a.sessionId) < (b.start ?? b.sessionId) ? -1 : 1));
}
