import { statSync } from 'node:fs';
import { clientOrderIdFor } from '../execution/client-order-id.js';
import { listLogFiles } from '../recorder/log-files.js';
import { linesBackwards } from '../recorder/lines-backwards.js';
import { readRotatedLog } from '../recorder/read-rotated-log.js';
import type { CutExit, UnsentIntent } from '../store/reconcile.js';
import type { OnUnreadableLog } from './rotated-log-read.js';

// How much of the order log's lines a start reads, across its files, newest first. The previous
// session's last intents are at the end of its lines: one decision runs at a time, so at most the
// intent in flight at a kill is cut short, and its attempts are seconds apart. This only bounds the
// read after a long session, which would otherwise go through its whole history.
const MAX_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;
const SESSION = /"session_id":"([^"]+)"/;
const EVENT = /"event_type":"([A-Z_]+)"/;
const INTENT = /"intent_id":"([^"]+)"/;
const DECISION = /"decision_id":"([^"]+)"/;
const CLIENT_ORDER = /"client_order_id":"([^"]+)"/;
const SYMBOL = /"symbol":"([^"]+)"/;
const SIDE = /"side":"(buy|sell)"/;
const TS = /"ts":"([^"]+)"/;
const RULE = /"rule":"([a-z_]+)"/;
const SEQ = /"seq":(\d+)/;
/** Lines an intent writes before the exchange answers anything about it. */
const BEFORE_ANY_ANSWER = new Set(['ORDER_CONTEXT', 'ORDER_RETRY', 'BUY_ORDER', 'EXIT_TRIGGERED']);

/** Reads lines from the newest back until it says it has what it needs. */
interface LineTaker {
  /** A line older than every line taken before it. */
  take(line: string): void;
  readonly ended: boolean;
}

interface Seen {
  decisionId: string | undefined;
  symbol: string | undefined;
  side: 'buy' | 'sell' | undefined;
  readonly clientOrderIds: Set<string>;
  answered: boolean;
  /** Its EXIT_TRIGGERED was read: the intent is an exit's sell, announced before its first ORDER_CONTEXT. */
  exitTriggered: boolean;
}

/**
 * Lines read from the newest back that belong to the session before the current one: the first
 * session met that is not the current one is it, and a line of any older session ends the reading.
 */
abstract class PreviousSessionLines implements LineTaker {
  previous: string | undefined;
  /** A line of an older session was met, or what comes before could not be read: nothing further back is the previous session's. */
  ended = false;

  constructor(private readonly currentSessionId: string) {}

  /** Whether `line` is the previous session's (false for the current session's, and from an older one's on). */
  protected ofPrevious(line: string): boolean {
    const session = SESSION.exec(line)?.[1];
    if (session === undefined || session === this.currentSessionId) return false;
    this.previous ??= session;
    if (session !== this.previous) {
      this.ended = true;
      return false;
    }
    return true;
  }

  abstract take(line: string): void;
}

/**
 * The previous session's lines, read from the newest back across the order log's files. `intents`
 * is ordered by each intent's last line, newest first.
 */
class PreviousSession extends PreviousSessionLines {
  readonly intents = new Map<string, Seen>();
  /** Every intent a line read names, whatever its session: an intent named here is not one with no line at all. */
  readonly mentioned = new Set<string>();
  /** Per decision, the previous session's last line of it: an EXIT_TRIGGERED there is an exit whose sell was never begun. */
  readonly lastOfDecision = new Map<string, { readonly event: string; readonly line: string }>();

  take(line: string): void {
    const intentId = INTENT.exec(line)?.[1];
    if (intentId !== undefined) this.mentioned.add(intentId);
    if (!this.ofPrevious(line)) return;
    const event = EVENT.exec(line)?.[1];
    const decisionId = DECISION.exec(line)?.[1];
    if (decisionId !== undefined && event !== undefined && !this.lastOfDecision.has(decisionId)) this.lastOfDecision.set(decisionId, { event, line });
    if (intentId === undefined || event === undefined) return;
    let seen = this.intents.get(intentId);
    if (!seen) {
      seen = { decisionId: undefined, symbol: undefined, side: undefined, clientOrderIds: new Set(), answered: false, exitTriggered: false };
      this.intents.set(intentId, seen);
    }
    // EXIT_TRIGGERED names no side: the intent it announces is the position's sell.
    if (event === 'EXIT_TRIGGERED') {
      seen.exitTriggered = true;
      seen.side ??= 'sell';
    }
    if (!BEFORE_ANY_ANSWER.has(event)) seen.answered = true;
    seen.decisionId ??= DECISION.exec(line)?.[1];
    seen.symbol ??= SYMBOL.exec(line)?.[1];
    seen.side ??= SIDE.exec(line)?.[1] as 'buy' | 'sell' | undefined;
    const clientOrderId = CLIENT_ORDER.exec(line)?.[1];
    if (clientOrderId !== undefined) seen.clientOrderIds.add(clientOrderId);
  }
}

/** Reads a plain file from its end, within `budget`, until a line of an older session; returns the bytes it covered. */
function readPlain(path: string, found: LineTaker, budget: number): number {
  const size = statSync(path).size;
  for (const line of linesBackwards(path, budget)) {
    found.take(line);
    if (found.ended) break;
  }
  return Math.min(size, budget);
}

/**
 * A gzipped file can only be read from its start, and what is wanted is at its end. It is streamed
 * whole in 256 KB chunks, holding only its last `budget` bytes (unzipped), whose lines are then read
 * backwards as a plain file's are: the same lines, in memory the budget bounds. Only whole lines count:
 * a torn last line (no newline) is not one, nor is the line the window cuts at its start. Returns
 * the bytes it covered (what it held unzipped, at most `budget`).
 */
async function readGzipped(unzipped: AsyncIterable<Buffer>, found: LineTaker, budget: number): Promise<number> {
  const tail: Buffer[] = [];
  let held = 0;
  let total = 0;
  for await (const chunk of unzipped) {
    total += chunk.length;
    tail.push(chunk);
    held += chunk.length;
    // Chunks wholly before the last `budget` bytes are let go.
    while (tail.length > 1 && held - (tail[0]?.length ?? 0) >= budget) held -= tail.shift()?.length ?? 0;
  }
  const window = Buffer.concat(tail);
  const from = Math.max(0, window.length - budget);
  let start = from;
  if (total > window.length - from) {
    // The window begins inside the file: its bytes up to the first newline end a line begun before it.
    const firstNewline = window.indexOf(NEWLINE, from);
    start = firstNewline < 0 ? window.length : firstNewline + 1;
  }
  for (let lineEnd = window.lastIndexOf(NEWLINE); lineEnd >= start && !found.ended; ) {
    const nl = lineEnd > start ? window.lastIndexOf(NEWLINE, lineEnd - 1) : -1;
    const lineStart = Math.max(nl + 1, start);
    if (lineEnd > lineStart) found.take(window.toString('utf8', lineStart, lineEnd));
    lineEnd = nl;
  }
  return Math.min(total, budget);
}

/** A BUY_ORDER line of a decision that has no DECISION_END. */
interface OpenBuy {
  readonly intentId: string;
  readonly decisionId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
}

/**
 * The previous session's last decision, read from the decision log's newest line back: its
 * BUY_ORDER lines if it has no DECISION_END. One decision runs at a time, so only the last one
 * can have been cut by a kill; reading stops at its DECISION_START.
 */
class LastDecision extends PreviousSessionLines {
  /** The seq of the previous session's last line in the decision log: a session's seq counts its lines of every channel. */
  lastSeq: number | undefined;
  private readonly endedDecisions = new Set<string>();
  readonly openBuys: OpenBuy[] = [];

  take(line: string): void {
    if (!this.ofPrevious(line)) return;
    this.lastSeq ??= Number(SEQ.exec(line)?.[1] ?? Number.NaN);
    const event = EVENT.exec(line)?.[1];
    const decisionId = DECISION.exec(line)?.[1];
    if (decisionId === undefined) return;
    if (event === 'DECISION_END') this.endedDecisions.add(decisionId);
    else if (event === 'DECISION_START') this.ended = true;
    else if (event === 'BUY_ORDER' && !this.endedDecisions.has(decisionId)) {
      const intentId = INTENT.exec(line)?.[1];
      const symbol = SYMBOL.exec(line)?.[1];
      const side = SIDE.exec(line)?.[1] as 'buy' | 'sell' | undefined;
      if (intentId !== undefined && symbol !== undefined && side !== undefined) this.openBuys.push({ intentId, decisionId, symbol, side });
    }
  }
}

/** Reads `channel`'s files from the newest back into `taker`, within MAX_BYTES, until it has ended. */
async function readBack(logsDir: string, channel: 'orders' | 'decisions', taker: LineTaker, onUnreadable: OnUnreadableLog): Promise<void> {
  let budget = MAX_BYTES;
  for (const file of listLogFiles(logsDir, [channel]).reverse()) {
    if (taker.ended || budget <= 0) break;
    const read = await readRotatedLog(file, (path) => readPlain(path, taker, budget), (unzipped) => readGzipped(unzipped, taker, budget));
    if (read.kind === 'unreadable') onUnreadable(read.path, read.error);
    if (read.kind !== 'read') break;
    budget -= read.value;
  }
}

/** What the previous session began and a kill cut short before any order of it was sent. */
export interface CutOrders {
  /** Intents never sent, oldest first: each is closed with ORDER_RECONCILED not_found. */
  readonly intents: UnsentIntent[];
  /** Exits whose EXIT_TRIGGERED was written but whose sell was never begun (no intent of it was written). */
  readonly exits: CutExit[];
}

/**
 * Order intents of the previous session (the last other than `currentSessionId` in the order log)
 * whose lines stop before any answer (ORDER_CONTEXT, ORDER_RETRY) and whose last attempt's client
 * order id the state store does not know. The store records an order before it is sent, so that
 * attempt was never sent: the session was killed (or the store failed) between writing its
 * ORDER_CONTEXT and recording the order. Earlier attempts ended with a retryable error the store
 * booked (a retry follows only those). Without a closing line, readers show the intent open forever.
 *
 * A kill can also land one line earlier, between a buy's BUY_ORDER (in the decision log) and its
 * first ORDER_CONTEXT (in the order log): the intent then has no line in the order log at all, and
 * `orders` would not know it. The previous session's last decision in the decision log is read for
 * that: a BUY_ORDER of a decision with no DECISION_END, whose intent no line of the order log read
 * here names and whose first attempt the store does not know, was never sent either
 * (`cutBefore: 'ORDER_CONTEXT'`).
 *
 * An exit's sell is begun the same way: EXIT_TRIGGERED (order log, under the position's decision and
 * the sell's intent), then its intent's first ORDER_CONTEXT. An intent whose only line is its
 * EXIT_TRIGGERED, and whose first attempt the store does not know, was never sent either: it is
 * closed as a buy cut after its BUY_ORDER is (`cutBefore: 'ORDER_CONTEXT'`). An EXIT_TRIGGERED with
 * no intent id (written by an older version, or by an exit that cancels the bot's own resting buy
 * first, whose sell may not follow) has no intent to close: a decision whose last line of the
 * previous session is such an EXIT_TRIGGERED is returned in `exits`.
 *
 * The order log is read from its newest line back, rotated files included: the write of that
 * ORDER_CONTEXT may itself have rotated orders.jsonl, leaving it the last line of the newest
 * rotated file (gzipped a minute later) with no orders.jsonl at all, and a session's lines may
 * straddle a rotation. Older files are read only while the previous session's lines may go on:
 * until a line of an older session is met, or MAX_BYTES of lines are read. That bounds the lines
 * read and the memory; a gzipped file must still be unzipped whole to reach its end, but a file is
 * opened only while budget remains and takes its whole (unzipped) size from it, so a start unzips
 * at most MAX_BYTES and one rotated file: recorder.rotate_mb, 256 MiB by default, about 0.5 s.
 * The decision log is read the same way, until the previous session's last DECISION_START.
 *
 * A rotated file deleted since the listing (retention, an operator), or one that cannot be read (a
 * damaged .gz, reported to `onUnreadable`), ends the search: what comes before it would be read
 * without what it said (answers of the intents begun there).
 */
export async function findCutOrders(
  logsDir: string, currentSessionId: string, storeKnows: (clientOrderId: string) => boolean, onUnreadable: OnUnreadableLog = () => undefined,
): Promise<CutOrders> {
  const found = new PreviousSession(currentSessionId);
  await readBack(logsDir, 'orders', found, onUnreadable);
  const unsent: UnsentIntent[] = [];
  for (const [intentId, seen] of found.intents) {
    if (seen.answered || !seen.decisionId || !seen.symbol || !seen.side) continue;
    if (seen.clientOrderIds.size === 0) {
      // Only its EXIT_TRIGGERED: killed before the sell's first ORDER_CONTEXT, which is written before the order is recorded and sent.
      if (seen.exitTriggered && !storeKnows(clientOrderIdFor(intentId, 1))) {
        unsent.push({ intentId, decisionId: seen.decisionId, symbol: seen.symbol, side: seen.side, clientOrderIds: [], sessionId: found.previous ?? '', cutBefore: 'ORDER_CONTEXT' });
      }
      continue;
    }
    // Read backwards: the first id met is the last attempt's.
    const ids = [...seen.clientOrderIds].reverse();
    const last = ids.at(-1);
    if (last === undefined || storeKnows(last)) continue;
    unsent.push({ intentId, decisionId: seen.decisionId, symbol: seen.symbol, side: seen.side, clientOrderIds: ids, sessionId: found.previous ?? '' });
  }
  unsent.reverse();
  const decided = new LastDecision(currentSessionId);
  await readBack(logsDir, 'decisions', decided, onUnreadable);
  for (const buy of decided.openBuys.reverse()) {
    if (found.mentioned.has(buy.intentId) || storeKnows(clientOrderIdFor(buy.intentId, 1))) continue;
    unsent.push({ ...buy, clientOrderIds: [], sessionId: decided.previous ?? '', cutBefore: 'ORDER_CONTEXT' });
  }
  const exits: CutExit[] = [];
  // An exit runs before its bar's decision: one cut before its sell was begun is the session's
  // latest line, past its last in the decision log. One blocked by a resting buy whose cancel failed
  // also ends with EXIT_TRIGGERED, but a later bar's decision follows it.
  const lastDecided = decided.previous === found.previous ? decided.lastSeq : undefined;
  for (const [decisionId, last] of found.lastOfDecision) {
    // One that names its sell's intent is closed with that intent above.
    if (last.event !== 'EXIT_TRIGGERED' || INTENT.test(last.line)) continue;
    const seq = Number(SEQ.exec(last.line)?.[1] ?? Number.NaN);
    if (lastDecided !== undefined && !(seq > lastDecided)) continue;
    const symbol = SYMBOL.exec(last.line)?.[1];
    const rule = RULE.exec(last.line)?.[1];
    const triggeredAt = TS.exec(last.line)?.[1];
    if (symbol === undefined || rule === undefined || triggeredAt === undefined) continue;
    exits.push({ decisionId, symbol, rule, triggeredAt, sessionId: found.previous ?? '' });
  }
  return { intents: unsent, exits: exits.reverse() };
}

/** The intents of findCutOrders: those never sent. */
export async function findUnsentIntents(
  logsDir: string, currentSessionId: string, storeKnows: (clientOrderId: string) => boolean, onUnreadable: OnUnreadableLog = () => undefined,
): Promise<UnsentIntent[]> {
  return (await findCutOrders(logsDir, currentSessionId, storeKnows, onUnreadable)).intents;
}
