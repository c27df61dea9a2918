import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { peekPaperAccount } from '../execution/paper/paper-state-file.js';
import { putBackCommand, RESCUED_INFIX, sideFilesOf } from '../store/sqlite-file.js';
import { STATE_FILE_NAME } from '../store/state-store.js';
import { peekBooks } from '../store/peek-books.js';
import { StoreError } from '../store/store-error.js';
import { LostAccountError } from './lost-account-error.js';

/** A copy saved this long before its counterpart's last change can still belong with it (a session stops in seconds). */
const RESCUE_SLACK_MS = 60_000;

/**
 * Refuses to start when the bot's books (state.sqlite) are missing but the exchange account an
 * earlier session traded is there. A fresh store would hold no position: the bot would buy again
 * what the account already holds, never sell it, and start its PnL from zero, all without a word.
 * Both absent is a fresh start; only the account absent is refuseLostAccount's.
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
      `Nothing was created. To go on, ${restoreAdvice(dataDir, statePath, { changedMs: statSync(accountPath).mtimeMs, possessive: "the account's", olderMeans: 'they do not hold its latest books' })}; or start in a new --data-dir; or, to start this one over, move ${accountPath} aside too`,
    { path: statePath, found: 'missing', expected: `${STATE_FILE_NAME} beside ${accountFile}` },
  );
}

/**
 * Refuses to start when the bot's books hold orders but the paper exchange account they were traded
 * on is missing. A new account would be funded from the books' balances and hold none of their
 * orders: an order still open there is gone without a fill or a cancel, and the new account numbers
 * its orders from paper-1 again, so two orders in the books share an exchange id. Books without an
 * order never traded on an account (a session refused or stopped before its first order; the
 * account is opened before any order is recorded): a new account funded from them is the one they
 * would have had, so they start as before.
 */
export function refuseLostAccount(dataDir: string, accountFile: string): void {
  const statePath = join(dataDir, STATE_FILE_NAME);
  const accountPath = join(dataDir, accountFile);
  if (existsSync(accountPath) || !existsSync(statePath)) return;
  const books = peekBooks(statePath);
  if (books === undefined || books.orders === 0) return;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const unsettled = books.unsettled > 0 ? ` (${books.unsettled} not settled yet)` : '';
  const lastId = books.lastExchangeOrderId === undefined ? '' : `, the last with exchange id ${books.lastExchangeOrderId}`;
  const positions = books.positions.length === 0 ? 'no open position' : `open ${books.positions.length === 1 ? 'position' : 'positions'} ${books.positions.join(', ')}`;
  const holds = `${plural(books.orders, 'order')}${unsettled}${lastId}; ${positions}`;
  const stateSides = sideFilesOf(statePath).filter((side) => existsSync(side));
  const moveBooks = `${statePath}${stateSides.length > 0 ? ` with its ${stateSides.map((side) => side.slice(statePath.length)).join(' and ')} (they hold its last changes)` : ''}`;
  throw new LostAccountError(
    'account_lost',
    `${accountPath} is missing, but the bot's books ${statePath} of an earlier session are here (they hold ${holds}): the paper exchange account they traded on is gone, and a new one funded from the books' balances would hold none of them and number its orders from paper-1 again. ` +
      `Nothing was created. To go on, ${restoreAdvice(dataDir, accountPath, { changedMs: lastChangeMs(statePath), possessive: "the books'", olderMeans: 'the account they last traded on is not in them' })}; or start in a new --data-dir; or, to start this one over with a new account, move ${moveBooks} aside too`,
    { path: accountPath, found: 'missing', expected: `${accountFile} beside ${STATE_FILE_NAME}, which holds orders` },
  );
}

/** When a SQLite file last changed: in WAL mode commits go to its -wal, the file itself changes at checkpoints (-shm changes on reads too). */
function lastChangeMs(path: string): number {
  return Math.max(...[path, `${path}-wal`].map((file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0));
}

/**
 * How to put a lost file back: the copy tradetrace saved when it went missing, if one was saved
 * since its counterpart (the account for the books, the books for the account) last changed (an
 * older one belongs to an older state of that pair), else a backup. The -wal and -shm of the lost
 * file must go first: SQLite would replay that WAL onto the copy.
 */
function restoreAdvice(dataDir: string, lostPath: string, counterpart: { readonly changedMs: number; readonly olderMeans: string; readonly possessive: string }): string {
  const sides = sideFilesOf(lostPath);
  const leftovers = sides.some((side) => existsSync(side));
  const copies = rescuedCopies(dataDir, basename(lostPath));
  const fresh = copies.filter((copy) => copy.mtimeMs >= counterpart.changedMs - RESCUE_SLACK_MS).at(-1);
  const older = copies.length > 0 && fresh === undefined ? ` (the copies tradetrace saved, the last from ${new Date(copies.at(-1)?.mtimeMs ?? 0).toISOString()}, are older than ${counterpart.possessive} last change, ${new Date(counterpart.changedMs).toISOString()}: ${counterpart.olderMeans})` : '';
  if (fresh) return `put back the copy tradetrace saved when the file went missing (${putBackCommand(fresh.path, lostPath, leftovers)}) or a backup`;
  return `restore it from a backup${leftovers ? ` (first rm -f ${sides.join(' ')}: they belong to the lost file)` : ''}${older}`;
}

/** `<fileName>.rescued-<time>` files, oldest first. */
function rescuedCopies(dataDir: string, fileName: string): { path: string; mtimeMs: number }[] {
  const prefix = `${fileName}${RESCUED_INFIX}`;
  try {
    return readdirSync(dataDir)
      .filter((name) => name.startsWith(prefix))
      .map((name) => ({ path: join(dataDir, name), mtimeMs: statSync(join(dataDir, name)).mtimeMs }))
      .sort((a, b) => a.mtimeMs - b.mtimeMs);
  } catch {
    return [];
  }
}
