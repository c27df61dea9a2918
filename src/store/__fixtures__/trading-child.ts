// A process that books fills into the state store and keeps going until it is killed:
// the parent SIGKILLs it mid-run and checks what a restart finds.
import { Decimal } from '../../domain/decimal.js';
import { StateStore } from '../state-store.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: trading-child.ts <data-dir>');
const store = StateStore.open({ dataDir });
if (store.created) store.setBalances({ USDT: Decimal.parse('1000000') });
let n = 0;
const step = (): void => {
  n++;
  const intentId = `int_${n.toString(16).padStart(16, '0')}`;
  const side = n % 2 === 1 ? 'buy' : 'sell';
  store.recordOrder({ clientOrderId: `${intentId}-1`, intentId, decisionId: `dec_20220103_100000_${Math.ceil(n / 2).toString(16).padStart(6, '0')}`, symbol: 'BTC/USDT', side, qty: Decimal.parse('0.01'), limitPx: Decimal.parse('45000') });
  // One buy-sell pair in five is left unbooked (as if the answers never came), the rest filled.
  if (n % 10 !== 9 && n % 10 !== 0) {
    store.applyFill({ clientOrderId: `${intentId}-1`, filledQty: Decimal.parse('0.01'), avgPx: Decimal.parse(side === 'buy' ? '45000' : '45100'), fee: Decimal.parse('0.45'), feeCurrency: 'USDT', status: 'filled', ts: Date.now() });
  }
  // The parent reads this line to know the order is committed.
  process.stdout.write(`${n}\n`);
  setImmediate(step);
};
step();
