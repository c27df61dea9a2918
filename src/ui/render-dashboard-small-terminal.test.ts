import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { stripAnsi } from './ansi.js';
import type { DashboardModel } from './dashboard-model.js';
import { renderDashboard } from './render-dashboard.js';
import { busyModel } from './__fixtures__/busy-model.js';

// Frames at the sizes an explorer ran `npm start` in (a pty of 60x15 and 30x8; the dashboard draws
// one row less than the terminal has, so its last line never scrolls it) and at 100x40.
const NOW = Date.UTC(2026, 10, 28, 13, 55, 7);
const d = (text: string): Decimal => Decimal.parse(text);

/** busyModel in the shape of the explorer's run: three positions, six fills, bars a day ahead of the wall clock. */
function threeSymbolModel(): DashboardModel {
  const model = busyModel();
  model.setPositions([
    { symbol: 'BTC/USDT', qty: d('0.00124'), entryPx: d('40074.39'), entryCost: d('49.69'), entryFees: d('0.05'), decisionId: 'dec_20261128_144300_6d593b' },
    { symbol: 'ETH/USDT', qty: d('0.0199'), entryPx: d('2504.88'), entryCost: d('49.85'), entryFees: d('0.05'), decisionId: 'dec_20261128_144500_6d5942' },
    { symbol: 'SOL/USDT', qty: d('0.50379'), entryPx: d('98.9843'), entryCost: d('49.87'), entryFees: d('0.05'), decisionId: 'dec_20261128_162900_6d5a7b' },
  ]);
  for (const symbol of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) model.setPrice(symbol, d('100'));
  for (let i = 1; i <= 6; i++) model.addEvent({ type: 'BUY_FILLED', message: `fill number ${i}`, source: 'src/engine/buy-decision.ts:209', timestamp: `13:55:0${i}` });
  for (let i = 0; i < 18; i++) {
    model.recordDecision({ decisionId: `dec_20261129_2306${String(i).padStart(2, '0')}_6d5b${String(i).padStart(2, '0')}`, symbol: 'BTC/USDT', outcome: 'blocked', detail: 'max_open_positions', at: Date.UTC(2026, 10, 29, 23, 6 + i) });
  }
  return model;
}

const frame = (model: DashboardModel, width: number, height: number): string[] =>
  renderDashboard(model.view(NOW), { width, height, color: true }).split('\n').map(stripAnsi);

describe('renderDashboard on a small terminal', () => {
  it('counts the events and decisions there were, not the rows drawn, and gives the newest event a row before the rules (60x15 read RECENT EVENTS (0) with six events)', () => {
    const model = threeSymbolModel();
    const lines = frame(model, 60, 14);
    expect(lines).toHaveLength(14);
    expect(lines).toContain('RECENT EVENTS (6, newest 1 shown)');
    expect(lines.find((l) => l.startsWith('  13:55:06 BUY_FILLED'))).toContain('fill number 6');
    expect(lines.at(-1)).toBe('LAST DECISIONS (20, none shown: terminal too short)');
    // The rules gave their rows to the event.
    expect(lines.some((l) => l.startsWith('─'))).toBe(false);

    // The count is of all there were, those the model no longer keeps included.
    for (let i = 7; i <= 60; i++) model.addEvent({ type: 'LOG', message: `event ${i}`, source: 'src/a.ts:1', timestamp: '13:56:00' });
    expect(frame(model, 60, 14)).toContain('RECENT EVENTS (60, newest 1 shown)');
    const tall = frame(model, 100, 200);
    expect(tall).toContain('RECENT EVENTS (60, newest 50 shown)');
    expect(tall).toContain('LAST DECISIONS (20)');
    expect(tall.some((l) => l.startsWith('─'))).toBe(true);
  });

  it('says nothing was shown rather than a count of zero when only the events header fits', () => {
    const lines = frame(threeSymbolModel(), 60, 12);
    expect(lines.at(-1)).toBe('RECENT EVENTS (6, none shown: terminal too short)');
    expect(lines.some((l) => /\(0\)/.test(l))).toBe(false);
  });

  it('keeps the bar count and the clock in the title at 60 columns (it was cut to b…), the program name and session id going first', () => {
    const model = threeSymbolModel();
    expect(frame(model, 120, 40)[0]).toBe('tradetrace  session_20220103_100000  paper  13:55:07 UTC  bars 1,234');
    expect(frame(model, 60, 14)[0]).toBe('session_20220103_100000  paper  13:55:07 UTC  bars 1,234');
    expect(frame(model, 40, 14)[0]).toBe('paper  13:55:07 UTC  bars 1,234');
    expect(frame(model, 30, 7)[0]).toBe('13:55:07 UTC  bars 1,234');
    expect(frame(model, 12, 7)[0]).toBe('bars 1,234');
  });

  it('keeps a position\'s decision id whole at 30 columns (it read dec_2026112…), on a line of its own under its row', () => {
    const lines = frame(threeSymbolModel(), 30, 7);
    expect(lines).toHaveLength(7);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
    expect(lines[2]).toBe('POSITIONS (3)');
    // QTY, left out when the id shared the row, fits beside the symbol without it.
    expect(lines[3]).toBe('  SYMBOL       QTY   uPnL');
    expect(lines[4]).toMatch(/^ {2}BTC\/USDT 0\.00124 -\d+\.\d\d$/);
    expect(lines[5]).toBe('    dec_20261128_144300_6d593b');
    expect(lines[6]).toMatch(/^ {2}ETH\/USDT {2}0\.0199 -\d+\.\d\d$/);
  });

  it('keeps a decision\'s id whole at 30 columns too, leaving its time out first', () => {
    const model = busyModel();
    const lines = frame(model, 30, 40);
    // The frame cuts what follows the id, never the id.
    expect(lines).toContain('  dec_20220103_100500_00a1b2 …');
    expect(frame(model, 40, 40)).toContain('  bar 10:05 dec_20220103_100500_00a1b2 …');
  });

  it('labels a decision\'s time as its bar\'s (market time, here a day after the wall clock of the title and the events)', () => {
    const lines = frame(threeSymbolModel(), 100, 40);
    expect(lines).toContain('  bar 23:23 dec_20261129_230617_6d5b17 BTC/USDT blocked    max_open_positions');
    expect(lines.find((l) => l.includes('fill number 6'))).toMatch(/^ {2}13:55:06 BUY_FILLED/);
    // Seconds are shown when a bar does not start on a minute.
    const model = busyModel();
    model.recordDecision({ decisionId: 'dec_20220103_100507_00a1b3', symbol: 'BTC/USDT', outcome: 'no_signal', detail: undefined, at: Date.UTC(2022, 0, 3, 10, 5, 7) });
    expect(frame(model, 100, 40).join('\n')).toContain('\n  bar 10:05:07 dec_20220103_100507_00a1b3 BTC/USDT no_signal ');
  });

  it('fits every size asked: no line wider, no frame taller', () => {
    const model = threeSymbolModel();
    for (const [width, height] of [[100, 39], [60, 14], [30, 7], [20, 3], [1, 1]] as const) {
      const lines = frame(model, width, height);
      expect(lines.length, `${width}x${height}`).toBeLessThanOrEqual(height);
      for (const line of lines) expect(line.length, `${width}x${height}: ${line}`).toBeLessThanOrEqual(width);
    }
  });
});
