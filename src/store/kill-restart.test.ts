import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { StateStore } from './state-store.js';

const CHILD = resolve(import.meta.dirname, '__fixtures__/trading-child.ts');

/** Runs the child until it has committed `atLeast` orders, then SIGKILLs it; returns the last acknowledged. */
function runAndKill(dataDir: string, atLeast: number): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) last = Number(line);
      if (last >= atLeast) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? done(last) : fail(new Error(`child exited without being killed: ${stderr}`))));
  });
}

describe('a SIGKILLed session', () => {
  it('loses no committed order or fill: the restart finds every acknowledged order, the books balance, and no id can be reused', async () => {
    const dir = tempDir();
    const acknowledged = await runAndKill(dir, 150);
    const store = StateStore.open({ dataDir: dir });
    expect(store.created).toBe(false);
    for (let n = 1; n <= acknowledged; n++) {
      const id = `int_${n.toString(16).padStart(16, '0')}-1`;
      const order = store.order(id);
      expect(order, id).toBeDefined();
      if (n % 10 !== 9 && n % 10 !== 0) expect(order?.status, id).toBe('filled');
      else expect(order?.status, id).toBe('new');
    }
    // Whatever the kill interrupted, the books agree with themselves: cash + position at cost = start + realized PnL.
    const position = store.position('BTC/USDT');
    const atCost = position ? position.qty.mul(position.entryPx).add(position.entryFees) : Decimal.ZERO;
    expect(store.balance('USDT').add(atCost).toString()).toBe(Decimal.parse('1000000').add(store.realizedPnl('USDT')).toString());
    expect(store.balance('BTC').toString()).toBe(position?.qty.toString() ?? '0');
    const unbooked = store.openOrders().map((o) => o.clientOrderId);
    expect(unbooked.length).toBeGreaterThanOrEqual(2 * Math.floor(acknowledged / 10));
    const first = unbooked[0];
    if (!first) throw new Error('expected unbooked orders');
    expect(() => store.recordOrder({ clientOrderId: first, intentId: 'int_x', decisionId: 'dec_x', symbol: 'BTC/USDT', side: 'buy', qty: Decimal.ONE, limitPx: Decimal.ONE })).toThrow(expect.objectContaining({ code: 'duplicate_order' }) as Error);
    store.close();
  }, 30_000);
});
