import { listLogFiles } from '../recorder/log-files.js';
import { linesBackwards } from '../recorder/lines-backwards.js';
import type { UnsentIntent } from '../store/reconcile.js';

// The previous session's last intents are at the end of orders.jsonl: one decision runs at a time,
// so at most the intent in flight at a kill is cut short. This only bounds the read.
const MAX_BYTES = 4 * 1024 * 1024;
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
 * Order intents of the previous session (the last other than `currentSessionId` in orders.jsonl)
 * whose lines stop before any answer (ORDER_CONTEXT, ORDER_RETRY) and whose last attempt's client
 * order id the state store does not know. The store records an order before it is sent, so that
 * attempt was never sent: the session was killed (or the store failed) between writing its
 * ORDER_CONTEXT and recording the order. Earlier attempts ended with a retryable error the store
 * booked (a retry follows only those). Without a closing line, readers show the intent open forever.
 */
export function findUnsentIntents(logsDir: string, currentSessionId: string, storeKnows: (clientOrderId: string) => boolean): UnsentIntent[] {
  const current = listLogFiles(logsDir, ['orders']).find((file) => file.current);
  if (!current) return [];
  let previous: string | undefined;
  const intents = new Map<string, Seen>();
  for (const line of linesBackwards(current.path, MAX_BYTES)) {
    const session = SESSION.exec(line)?.[1];
    if (session === undefined || session === currentSessionId) continue;
    previous ??= session;
    if (session !== previous) break;
    const intentId = INTENT.exec(line)?.[1];
    const event = EVENT.exec(line)?.[1];
    if (intentId === undefined || event === undefined) continue;
    let seen = intents.get(intentId);
    if (!seen) {
      seen = { decisionId: undefined, symbol: undefined, side: undefined, clientOrderIds: new Set(), answered: false };
      intents.set(intentId, seen);
    }
    if (!BEFORE_ANY_ANSWER.has(event)) seen.answered = true;
    seen.decisionId ??= DECISION.exec(line)?.[1];
    seen.symbol ??= SYMBOL.exec(line)?.[1];
    seen.side ??= SIDE.exec(line)?.[1] as 'buy' | 'sell' | undefined;
    const clientOrderId = CLIENT_ORDER.exec(line)?.[1];
    if (clientOrderId !== undefined) seen.clientOrderIds.add(clientOrderId);
  }
  const unsent: UnsentIntent[] = [];
  for (const [intentId, seen] of intents) {
    if (seen.answered || seen.clientOrderIds.size === 0 || !seen.decisionId || !seen.symbol || !seen.side) continue;
    // Read backwards: the first id met is the last attempt's.
    const ids = [...seen.clientOrderIds].reverse();
    const last = ids.at(-1);
    if (last === undefined || storeKnows(last)) continue;
    unsent.push({ intentId, decisionId: seen.decisionId, symbol: seen.symbol, side: seen.side, clientOrderIds: ids, sessionId: previous ?? '' });
  }
  return unsent.reverse();
}
