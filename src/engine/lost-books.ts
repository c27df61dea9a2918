import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { peekPaperAccount } from '../execution/paper/paper-state-file.js';
import { STATE_FILE_NAME } from '../store/state-store.js';
import { StoreError } from '../store/store-error.js';

/**
 * Refuses to start when the bot's books (state.sqlite) are missing but the exchange account an
 * earlier session traded is there. A fresh store would hold no position: the bot would buy again
 * what the account already holds, never sell it, and start its PnL from zero, all without a word.
 * Both absent is a fresh start; only the account absent is an account reset, which reconciliation
 * reports order by order.
 */
export function refuseLostBooks(dataDir: string, accountFile: string): void {
  const statePath = join(dataDir, STATE_FILE_NAME);
  const accountPath = join(dataDir, accountFile);
  if (existsSync(statePath) || !existsSync(accountPath)) return;
  const account = peekPaperAccount(accountPath);
  const holds = account
    ? ` (it holds ${account.balances.join(', ') || 'nothing'}${account.openOrders > 0 ? `, and ${account.openOrders} open order${account.openOrders === 1 ? '' : 's'}` : ''})`
    : '';
  const rescued = rescuedCopies(dataDir);
  const restore = rescued.length > 0
    ? `put back the copy tradetrace saved when the file went missing (mv ${join(dataDir, rescued[rescued.length - 1] ?? '')} ${statePath}) or a backup`
    : 'restore it (and its -wal file) from a backup';
  throw new StoreError(
    'state_lost',
    `${statePath} is missing, but the paper exchange account ${accountPath} of an earlier session is here${holds}: the bot's positions, orders and PnL history are gone, and a fresh start would buy again what the account holds and never sell it. ` +
      `Nothing was created. To go on, ${restore}; or start in a new --data-dir; or, to start this one over, move ${accountPath} aside too`,
    { path: statePath, found: 'missing', expected: `${STATE_FILE_NAME} beside ${accountFile}` },
  );
}

/** `state.sqlite.rescued-<time>` files, oldest first (their names sort by time). */
function rescuedCopies(dataDir: string): string[] {
  const prefix = `${basename(STATE_FILE_NAME)}.rescued-`;
  try {
    return readdirSync(dataDir).filter((name) => name.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}
