import { statSync } from 'node:fs';
import { listLogFiles } from '../recorder/log-files.js';
import { linesBackwards } from '../recorder/lines-backwards.js';
import { readRotatedLog } from '../recorder/read-rotated-log.js';
import type { UnsentIntent } from '../store/reconcile.js';
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
/** Lines an intent writes before the exchange answers anything about it. */
const BEFORE_ANY_ANSWER = new Set(['ORDER_CONTEXT', 'ORDER_RETRY', 'BUY_ORDER']);

interface Seen {
  decisionId: string | undefined;
  symbol: string | undefined;
  side: 'buy' | 'sell' | undefined;
  readonly clientOrderIds: Set<string>;
  answered: boolean;
}

/**
 * The previous session's lines, read from the newest back across the order log's files. `intents`
 * is ordered by each intent's last line, newest first.
 */
class PreviousSession {
  previous: string | undefined;
  /** A line of an older session was met, or what comes before could not be read: nothing further back is the previous session's. */
  ended = false;
  readonly intents = new Map<string, Seen>();

  constructor(private readonly currentSessionId: string) {}

  /** A line older than every line taken before it. */
  take(line: string): void {
    const session = SESSION.exec(line)?.[1];
    if (session === undefined || session === this.currentSessionId) return;
    this.previous ??= session;
    if (session !== this.previous) {
      this.ended = true;
      return;
    }
    const intentId = INTENT.exec(line)?.[1];
    const event = EVENT.exec(line)?.[1];
    if (intentId === undefined || event === undefined) return;
    let seen = this.intents.get(intentId);
    if (!seen) {
      seen = { decisionId: undefined, symbol: undefined, side: undefined, clientOrderIds: new Set(), answered: false };
      this.intents.set(intentId, seen);
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
function readPlain(path: string, found: PreviousSession, budget: number): number {
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
async function readGzipped(unzipped: AsyncIterable<Buffer>, found: PreviousSession, budget: number): Promise<number> {
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

/**
 * Order intents of the previous session (the last other than `currentSessionId` in the order log)
 * whose lines stop before any answer (ORDER_CONTEXT, ORDER_RETRY) and whose last attempt's client
 * order id the state store does not know. The store records an order before it is sent, so that
 * attempt was never sent: the session was killed (or the store failed) between writing its
 * ORDER_CONTEXT and recording the order. Earlier attempts ended with a retryable error the store
 * booked (a retry follows only those). Without a closing line, readers show the intent open forever.
 *
 * The order log is read from its newest line back, rotated files included: the write of that
 * ORDER_CONTEXT may itself have rotated orders.jsonl, leaving it the last line of the newest
 * rotated file (gzipped a minute later) with no orders.jsonl at all, and a session's lines may
 * straddle a rotation. Older files are read only while the previous session's lines may go on:
 * until a line of an older session is met, or MAX_BYTES of lines are read. That bounds the lines
 * read and the memory; a gzipped file must still be unzipped whole to reach its end, but a file is
 * opened only while budget remains and takes its whole (unzipped) size from it, so a start unzips
 * at most MAX_BYTES and one rotated file: recorder.rotate_mb, 256 MiB by default, about 0.5 s.
 *
 * A rotated file deleted since the listing (retention, an operator), or one that cannot be read (a
 * damaged .gz, reported to `onUnreadable`), ends the search: what comes before it would be read
 * without what it said (answers of the intents begun there).
 */
export async function findUnsentIntents(
  logsDir: string, currentSessionId: string, storeKnows: (clientOrderId: string) => boolean, onUnreadable: OnUnreadableLog = () => undefined,
): Promise<UnsentIntent[]> {
  const found = new PreviousSession(currentSessionId);
  let budget = MAX_BYTES;
  for (const file of listLogFiles(logsDir, ['orders']).reverse()) {
    if (found.ended || budget <= 0) break;
    const read = await readRotatedLog(file, (path) => readPlain(path, found, budget), (unzipped) => readGzipped(unzipped, found, budget));
    if (read.kind === 'unreadable') onUnreadable(read.path, read.error);
    if (read.kind !== 'read') break;
    budget -= read.value;
  }
  const unsent: UnsentIntent[] = [];
  for (const [intentId, seen] of found.intents) {
    if (seen.answered || seen.clientOrderIds.size === 0 || !seen.decisionId || !seen.symbol || !seen.side) continue;
    // Read backwards: the first id met is the last attempt's.
    const ids = [...seen.clientOrderIds].reverse();
    const last = ids.at(-1);
    if (last === undefined || storeKnows(last)) continue;
    unsent.push({ intentId, decisionId: seen.decisionId, symbol: seen.symbol, side: seen.side, clientOrderIds: ids, sessionId: found.previous ?? '' });
  }
  return unsent.reverse();
}
