import { basename } from 'node:path';
import { filesOf } from './event-needles.js';
import type { LogSet } from './log-set.js';
import { unreadableFile } from './unreadable-files.js';

/** An orders log file not read whole, and why: `orders.jsonl: permission denied`. */
export interface UnreadOrders {
  readonly path: string;
  readonly why: string;
}

/**
 * The orders log files a query could not read, or not to their end: left out by the log set (no
 * permission, a directory in a file's place) or a .gz cut short (see unreadable-files.ts). What
 * those files hold (fills, failures, restart reconciliation's fills) is then not known, not none:
 * `why` and `sessions` say so beside their answer rather than count it as 0.
 */
export function ordersNotReadWhole(set: LogSet): UnreadOrders[] {
  const leftOut = (set.unreadable ?? []).filter((error) => basename(error.path).startsWith('orders.')).map((error) => ({ path: error.path, why: error.reason }));
  const cut = filesOf(set, ['orders']).flatMap((file) => {
    const noted = unreadableFile(file.path);
    return noted ? [{ path: file.path, why: `${noted.reason}, read only in part` }] : [];
  });
  return [...leftOut, ...cut];
}

/** `orders.jsonl (permission denied)`, for a note. */
export function unreadOrdersText(unread: readonly UnreadOrders[]): string {
  return unread.map((u) => `${u.path} (${u.why})`).join(', ');
}
