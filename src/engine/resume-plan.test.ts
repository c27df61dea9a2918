import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import type { PositionRecord, StateSnapshot } from '../store/records.js';
import { CURSOR_FILE, ReplayCursor } from './replay-cursor.js';
import { planResume } from './resume-plan.js';

const MINUTE = 60_000;
const T = Date.UTC(2022, 0, 1, 12);
const SESSION = 'session_20220101_120000';

function snapshot(positions: readonly PositionRecord[]): StateSnapshot {
  return { positions, openOrders: [], balances: new Map(), realizedPnl: new Map(), dailyPnl: [], lastExits: new Map() };
}

function position(symbol: string, openedAt: number): PositionRecord {
  const one = Decimal.parse('1');
  return { id: 1, symbol, qty: one, entryPx: one, entryCost: one, entryFees: Decimal.ZERO, feesPaid: Decimal.ZERO, realizedPnl: Decimal.ZERO, peakPx: one, decisionId: 'dec_20220101_120000_000001', openedAt, updatedAt: openedAt };
}

function cursorWith(symbols: Record<string, number>, traded: readonly string[]): { cursor: ReplayCursor; logsDir: string } {
  const dataDir = tempDir('tradetrace-resume-plan-');
  writeFileSync(join(dataDir, CURSOR_FILE), `${JSON.stringify({ session_id: SESSION, traded, symbols })}\n`);
  const cursor = new ReplayCursor(dataDir, 'session_20220101_130000', ['BTC/USD', 'ETH/USD']);
  cursor.read();
  return { cursor, logsDir: join(dataDir, 'logs') };
}

describe('planResume', () => {
  it('takes what the cursor says was decided over a fill the store booked at another symbol\'s bar of the next minute', async () => {
    // ETH's order filled when BTC's bar of T+1 polled it; the bot was killed before ETH's own bar of T+1.
    const { cursor, logsDir } = cursorWith({ 'BTC/USD': T + MINUTE, 'ETH/USD': T }, ['BTC/USD', 'ETH/USD']);
    const plan = await planResume({ snapshot: snapshot([position('ETH/USD', T + MINUTE)]), cursor, logsDir, tradedSymbols: ['BTC/USD', 'ETH/USD'], intervalMs: MINUTE });
    expect(Object.fromEntries(plan.traded)).toEqual({ 'BTC/USD': T + MINUTE, 'ETH/USD': T });
  });

  it('takes the store for a symbol the cursor does not know, and starts a symbol nobody knows at the clock', async () => {
    const { cursor, logsDir } = cursorWith({ 'BTC/USD': T }, ['BTC/USD', 'ETH/USD', 'SOL/USD']);
    const plan = await planResume({ snapshot: snapshot([position('ETH/USD', T + 5 * MINUTE)]), cursor, logsDir, tradedSymbols: ['BTC/USD', 'ETH/USD', 'SOL/USD'], intervalMs: MINUTE });
    expect(plan.clock).toBe(T + 5 * MINUTE);
    expect(Object.fromEntries(plan.traded)).toEqual({ 'BTC/USD': T, 'ETH/USD': T + 5 * MINUTE, 'SOL/USD': T + 5 * MINUTE });
    expect(plan.allDecidedUntil).toBe(T);
  });
});
