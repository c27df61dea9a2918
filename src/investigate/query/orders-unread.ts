import { basename } from 'node:path';
import { filesOf } from './event-needles.js';
import type { LogSet } from './log-set.js';
import { unreadableFile, type UnreadableFile } from './unreadable-files.js';

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
/** The orders log files the log set left out: no permission, a directory in a file's place. */
function ordersLeftOut(set: LogSet): NonNullable<LogSet['unreadable']> {
  return (set.unreadable ?? []).filter((error) => basename(error.path).startsWith('orders.'));
}

export function ordersNotReadWhole(set: LogSet): UnreadOrders[] {
  const leftOut = ordersLeftOut(set).map((error) => ({ path: error.path, why: error.reason }));
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

/**
 * When no orders log file could be read at all (permission, a directory in a file's place), each of
 * them with why, by path; empty when one was. `orders` then has nothing to answer from: "no order
 * intents match" (exit 1) would read as a log that holds none.
 */
export function noOrdersLogRead(set: LogSet): UnreadableFile[] {
  if (filesOf(set, ['orders']).some((file) => unreadableFile(file.path) === undefined)) return [];
  const paths = [...new Set([...filesOf(set, ['orders']).map((file) => file.path), ...ordersLeftOut(set).map((error) => error.path)])];
  return paths.map((path) => unreadableFile(path)).filter((u): u is UnreadableFile => u !== undefined && u.readBytes === 0).sort((a, b) => (a.path < b.path ? -1 : 1));
}
