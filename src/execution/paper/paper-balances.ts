import { Decimal } from '../../domain/decimal.js';
import type { Balance } from '../exchange.js';

interface Account {
  free: Decimal;
  locked: Decimal;
}

/**
 * The paper account's wallets. Open orders lock what they may spend, so two orders cannot both
 * count on the same funds; every movement keeps free and locked non-negative or throws, since a
 * negative paper balance would be a simulator bug that makes every later result wrong.
 */
export class PaperBalances {
  private readonly accounts = new Map<string, Account>();

  constructor(initial: Readonly<Record<string, Decimal>>) {
    for (const [asset, amount] of Object.entries(initial)) {
      if (amount.isNegative()) throw new RangeError(`initial balance ${asset}=${amount.toString()}: expected >= 0`);
      this.accounts.set(asset, { free: amount, locked: Decimal.ZERO });
    }
  }

  /** The wallets as a state file saved them, locks included (the open orders that hold them come back too). */
  static restore(saved: readonly Balance[]): PaperBalances {
    const wallet = new PaperBalances({});
    for (const { asset, free, locked } of saved) {
      if (free.isNegative() || locked.isNegative()) throw new RangeError(`restored balance ${asset} free=${free.toString()} locked=${locked.toString()}: expected >= 0`);
      wallet.accounts.set(asset, { free, locked });
    }
    return wallet;
  }

  private account(asset: string): Account {
    let account = this.accounts.get(asset);
    if (!account) {
      account = { free: Decimal.ZERO, locked: Decimal.ZERO };
      this.accounts.set(asset, account);
    }
    return account;
  }

  free(asset: string): Decimal {
    return this.accounts.get(asset)?.free ?? Decimal.ZERO;
  }

  snapshot(): Balance[] {
    return [...this.accounts.entries()]
      .map(([asset, a]) => ({ asset, free: a.free, locked: a.locked }))
      .sort((a, b) => a.asset.localeCompare(b.asset));
  }

  /** Moves `amount` from free to locked; false (and no change) when free is short. */
  lock(asset: string, amount: Decimal): boolean {
    const account = this.account(asset);
    if (account.free.lt(amount)) return false;
    account.free = account.free.sub(amount);
    account.locked = account.locked.add(amount);
    return true;
  }

  /** Moves `amount` from locked back to free. */
  unlock(asset: string, amount: Decimal): void {
    const account = this.account(asset);
    this.check(asset, 'locked', account.locked.sub(amount));
    account.locked = account.locked.sub(amount);
    account.free = account.free.add(amount);
  }

  /** Pays `amount` out of locked funds (a fill of an order that locked them). */
  spendLocked(asset: string, amount: Decimal): void {
    const account = this.account(asset);
    this.check(asset, 'locked', account.locked.sub(amount));
    account.locked = account.locked.sub(amount);
  }

  /** Pays `amount` out of free funds; false (and no change) when free is short. */
  spendFree(asset: string, amount: Decimal): boolean {
    const account = this.account(asset);
    if (account.free.lt(amount)) return false;
    account.free = account.free.sub(amount);
    return true;
  }

  credit(asset: string, amount: Decimal): void {
    const account = this.account(asset);
    this.check(asset, 'free', account.free.add(amount));
    account.free = account.free.add(amount);
  }

  private check(asset: string, which: 'free' | 'locked', next: Decimal): void {
    if (next.isNegative()) {
      throw new RangeError(`paper balance ${asset} ${which} would become ${next.toString()}: a simulator accounting bug`);
    }
  }
}
