import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { peekPaperAccount } from '../execution/paper/paper-state-file.js';
import { putBackCommand, RESCUED_INFIX, sideFilesOf } from '../store/sqlite-file.js';
import { STATE_FILE_NAME } from '../store/state-store.js';
import { StoreError } from '../store/store-error.js';

/** A copy saved this long before the account's last change can still be the books of that account. */
const RESCUE_SLACK_MS = 60_000;

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
  throw new StoreError(
    'state_lost',
    `${statePath} is missing, but the paper exchange account ${accountPath} of an earlier session is here${holds}: the bot's positions, orders and PnL history are gone, and a fresh start would buy again what the account holds and never sell it. ` +
      `Nothing was created. To go on, ${restoreAdvice(dataDir, statePath, statSync(accountPath).mtimeMs)}; or start in a new --data-dir; or, to start this one over, move ${accountPath} aside too`,
    { path: statePath, found: 'missing', expected: `${STATE_FILE_NAME} beside ${accountFile}` },
  );
}

/**
 * How to put the books back: the copy tradetrace saved when the file went missing, if one was saved
 * since the account last changed (an older one holds the books of an older account), else a backup.
 * The -wal and -shm of the lost file must go first: SQLite would replay that WAL onto the copy.
 */
function restoreAdvice(dataDir: string, statePath: string, accountChangedMs: number): string {
  const sides = sideFilesOf(statePath);
  const leftovers = sides.some((side) => existsSync(side));
  const copies = rescuedCopies(dataDir);
  const fresh = copies.filter((copy) => copy.mtimeMs >= accountChangedMs - RESCUE_SLACK_MS).at(-1);
  const older = copies.length > 0 && fresh === undefined ? ` (the copies tradetrace saved, the last from ${new Date(copies.at(-1)?.mtimeMs ?? 0).toISOString()}, are older than the account's last change, ${new Date(accountChangedMs).toISOString()}: they do not hold its latest books)` : '';
  if (fresh) return `put back the copy tradetrace saved when the file went missing (${putBackCommand(fresh.path, statePath, leftovers)}) or a backup`;
  return `restore it from a backup${leftovers ? ` (first rm -f ${sides.join(' ')}: they belong to the lost file)` : ''}${older}`;
}

/** `state.sqlite.rescued-<time>` files, oldest first. */
function rescuedCopies(dataDir: string): { path: string; mtimeMs: number }[] {
  const prefix = `${STATE_FILE_NAME}${RESCUED_INFIX}`;
  try {
    return readdirSync(dataDir)
      .filter((name) => name.startsWith(prefix))
      .map((name) => ({ path: join(dataDir, name), mtimeMs: statSync(join(dataDir, name)).mtimeMs }))
      .sort((a, b) => a.mtimeMs - b.mtimeMs);
  } catch {
    return [];
  }
}
