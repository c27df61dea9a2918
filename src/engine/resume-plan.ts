import { join } from 'node:path';
import { Decimal } from '../domain/decimal.js';
import type { DecidedBarRecord, DecidedBars, FileFingerprint } from '../market-data/index.js';
import { readManifest } from '../recorder/sessions/manifest.js';
import { SESSIONS_DIR } from '../recorder/sessions/session-dir.js';
import type { StateSnapshot } from '../store/records.js';
import { lastDecidedBars, type DecidedBar } from './last-decided-bar.js';
import { loggedFingerprints, type LoggedFingerprints } from './logged-fingerprints.js';
import type { OnUnreadableLog } from './rotated-log-read.js';
import type { ReplayCursor } from './replay-cursor.js';

/**
 * Per symbol, the latest time the state knows of (a position opened or updated, an exit, an order
 * placed): bars of that symbol closing at or before it were decided by an earlier session.
 */
export function resumePoints(snapshot: StateSnapshot): Map<string, number> {
  const latest = new Map<string, number>();
  const note = (symbol: string, at: number): void => {
    if (at > (latest.get(symbol) ?? Number.NEGATIVE_INFINITY)) latest.set(symbol, at);
  };
  for (const p of snapshot.positions) note(p.symbol, Math.max(p.openedAt, p.updatedAt));
  for (const exit of snapshot.lastExits.values()) note(exit.symbol, exit.exitedAt);
  for (const order of snapshot.openOrders) note(order.symbol, order.createdAt);
  return latest;
}

/** A symbol's last decided bar as the data directory knows it. */
export interface ResumePoint {
  readonly close: number;
  readonly price: Decimal | undefined;
  /** The session that decided that bar (and saw that price), when known. */
  readonly decidedBy: string | undefined;
}

export interface ResumePlan {
  /** Every symbol the data directory knows a decided bar for, traded now or not: the cursor keeps them all. */
  readonly known: ReadonlyMap<string, ResumePoint>;
  /** Per traded symbol, the close of the last bar decided for it: its bars up to there only warm up. */
  readonly traded: ReadonlyMap<string, number>;
  /** The latest close of all: where the portfolio's clock stands. */
  readonly clock: number | undefined;
  /** The earliest close of the traded symbols: every one of them is decided up to it. */
  readonly allDecidedUntil: number | undefined;
  /**
   * Per traded symbol whose last decided bar's price is known, that bar: a replay must still find
   * it, with that close, in its file, and the rows before it as the session that decided it read
   * them (the fingerprint its FEED_START logged, when the logs still hold it), or the directory's
   * positions belong to other data.
   */
  readonly decidedBars: DecidedBars;
  /**
   * paper-cursor.json was not there but the decision log shows bars decided: the cursor was deleted
   * or lost, and `known` comes from the decision log, every session's lines, where it has a
   * decision of the symbol (else from the store). Worth a warning: the operator removed it, or
   * something did. (A directory with a store but no logs either, as tests build, resumes from the
   * store as it always did.)
   */
  readonly cursorMissing: boolean;
}

export interface ResumeInputs {
  readonly snapshot: StateSnapshot;
  /** Read already. */
  readonly cursor: ReplayCursor;
  readonly logsDir: string;
  readonly tradedSymbols: readonly string[];
  readonly intervalMs: number;
  /** A rotated decisions file that could not be read: the cursor's points stand. */
  readonly onUnreadable?: OnUnreadableLog;
}

/**
 * Where a paper session resumes, symbol by symbol: the later of the cursor and the decision log of
 * the session that wrote the cursor (its decisions after the cursor's last save, written before
 * anything was acted on), or, for a symbol neither knows, what the state store holds (a position,
 * an exit, an order).
 * With no cursor file at all (deleted, lost), the decision log answers alone, every session's
 * lines: the last bar any session decided of a symbol. The store is no substitute for it: its times
 * are bookings (the last fill), often hours before the last decided bar, and resuming there decides
 * every bar in between again under new decision ids.
 * Symbols this session does not trade keep their points, so the cursor it writes back keeps them.
 * A traded symbol the directory has no point for, or that the cursor's session did not trade,
 * resumes at the clock: its earlier bars were never decided (or long ago), but deciding them now
 * would judge them against a portfolio from their future.
 */
/**
 * The sessions whose decisions follow this directory's market timeline: all but demos, whose one
 * decision is at the wall clock's minute (a replay after one would otherwise resume in the future
 * and only warm its indicators on every bar). A session whose manifest cannot be read counts:
 * deciding no bar twice comes first.
 */
function timelineSessions(dataDir: string): (sessionId: string) => boolean {
  const answers = new Map<string, boolean>();
  return (sessionId) => {
    let counts = answers.get(sessionId);
    if (counts === undefined) {
      const manifest = readManifest(join(dataDir, SESSIONS_DIR, sessionId));
      counts = !(manifest.ok && manifest.value.mode === 'demo');
      answers.set(sessionId, counts);
    }
    return counts;
  };
}

export async function planResume(inputs: ResumeInputs): Promise<ResumePlan> {
  const { cursor, tradedSymbols } = inputs;
  const fromStore = resumePoints(inputs.snapshot);
  const symbols = [...new Set([...tradedSymbols, ...cursor.knownSymbols(), ...fromStore.keys()])];
  const cursorSession = cursor.storedSession();
  const noCursor = cursor.fileMissing();
  // Only the symbols the cursor's session traded have lines in its log: looking for the others
  // would read the log far back for nothing. Without a cursor, each symbol the log has decided
  // stands where its own decisions stopped, as one the cursor's session traded.
  let fromLog = new Map<string, DecidedBar>();
  let cursorTraded = new Set<string>();
  if (noCursor) {
    fromLog = await lastDecidedBars(inputs.logsDir, timelineSessions(cursor.dataDir), symbols, inputs.intervalMs, inputs.onUnreadable);
    cursorTraded = new Set(fromLog.keys());
  } else if (cursorSession !== undefined) {
    cursorTraded = new Set(cursor.storedTradedSymbols());
    fromLog = await lastDecidedBars(inputs.logsDir, cursorSession, [...cursorTraded], inputs.intervalMs, inputs.onUnreadable);
  }
  const known = new Map<string, ResumePoint>();
  for (const symbol of symbols) {
    const logged = fromLog.get(symbol);
    const stored = cursor.closeOf(symbol);
    // The cursor and the log say what was decided; the store only where the cursor knows nothing.
    // Its times can run ahead of a symbol's decisions: a fill is booked at the close of the bar
    // that polled it, another symbol's bar of that minute, so it would skip the symbol's own.
    const decided = [stored, logged?.close].filter((point): point is number => point !== undefined);
    const booked = fromStore.get(symbol);
    const points = decided.length > 0 ? decided : booked === undefined ? [] : [booked];
    if (points.length === 0) continue;
    const loggedIsLatest = logged !== undefined && logged.close >= (stored ?? Number.NEGATIVE_INFINITY);
    const price = loggedIsLatest ? (logged.price === undefined ? undefined : Decimal.parse(logged.price)) : cursor.priceOf(symbol);
    const decidedBy = loggedIsLatest ? (logged.session ?? cursorSession) : stored === undefined ? undefined : cursor.decidedBy(symbol);
    known.set(symbol, { close: Math.max(...points), price, decidedBy });
  }
  const clock = known.size === 0 ? undefined : Math.max(...[...known.values()].map((point) => point.close));
  const traded = new Map<string, number>();
  if (clock !== undefined) {
    for (const symbol of tradedSymbols) {
      // A symbol the cursor's session traded stands where its own decisions stopped (a kill between
      // two symbols of one bar time leaves it a bar behind). One it did not trade was left out, and
      // its own point may lie far behind: deciding from there would judge old bars against today's
      // portfolio, so it starts at the clock, as a symbol never decided here does.
      const own = known.get(symbol)?.close;
      traded.set(symbol, own !== undefined && cursorTraded.has(symbol) ? own : clock);
    }
  }
  const allDecidedUntil = traded.size === 0 ? undefined : Math.min(...traded.values());
  // A price is known only for a bar of the symbol's own (the cursor's or the log's), never for a
  // time the store booked: only such a bar is one the file must still hold, with the rows before it
  // as the session that decided it read them (its FEED_START, when its log says).
  const checked = tradedSymbols.flatMap((symbol) => {
    const point = known.get(symbol);
    return point?.price === undefined ? [] : [{ symbol, point, price: point.price }];
  });
  const deciders = new Set(checked.flatMap(({ point }) => (point.decidedBy === undefined ? [] : [point.decidedBy])));
  const read: LoggedFingerprints = deciders.size === 0 ? new Map<string, Map<string, FileFingerprint>>() : await loggedFingerprints(inputs.logsDir, deciders, inputs.onUnreadable);
  const bars = new Map<string, DecidedBarRecord>();
  for (const { symbol, point, price } of checked) {
    const session = point.decidedBy;
    const fingerprint = session === undefined ? undefined : read.get(session)?.get(symbol);
    bars.set(symbol, {
      openTime: point.close - inputs.intervalMs, close: price, recordedBy: session,
      ...(session === undefined || fingerprint === undefined ? {} : { readAs: { session, fingerprint } }),
    });
  }
  return { known, traded, clock, allDecidedUntil, decidedBars: { dataDir: cursor.dataDir, bars }, cursorMissing: noCursor && fromLog.size > 0 };
}
