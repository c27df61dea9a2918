import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { stripAnsi } from './ansi.js';
import { renderDashboard } from './render-dashboard.js';
import { renderSummaryLine } from './render-plain.js';
import type { AlertFired } from '../alerts/alert-transition.js';
import { busyModel } from './__fixtures__/busy-model.js';

const NOW = Date.UTC(2022, 0, 3, 10, 6, 7);

describe('renderDashboard', () => {
  it('shows positions with unrealized PnL and decision, balances, PnL, loops, failures by reason, decisions and events', () => {
    const model = busyModel();
    model.addEvent({ type: 'BUY_FILLED', message: 'BTC/USDT @ $45000.00', source: 'src/engine/buy-decision.ts:120', timestamp: '10:05:00' });
    const text = renderDashboard(model.view(NOW), { width: 120, height: 40, color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('tradetrace  session_20220103_100000  paper  10:06:07 UTC  bars 1,234');
    expect(text).toMatch(/BTC\/USDT\s+0\.01\s+45000\.00\s+45100\.00\s+\+1\.00\s+dec_20220103_100500_00a1b2/);
    expect(text).toContain('BALANCES  BTC 0.01  USDT 549.55');
    expect(text).toContain('PNL  realized -3.25  unrealized +1.00  fees 0.45');
    expect(text).toContain('LOOPS  DecisionLoop ok 0.2s  DustSweeper STALLED 1m35s');
    expect(text).toContain('ORDER FAILURES  timeout_exhausted 2  min_notional 1');
    expect(text).toMatch(/10:05:00 BUY_FILLED\s+BTC\/USDT @ \$45000\.00  src\/engine\/buy-decision\.ts:120/);
    expect(text).toMatch(/bar 10:04 dec_20220103_100400_00a1b1 BTC\/USDT\s+blocked\s+cooldown/);
    expect(text).not.toContain('\x1b');
  });

  it('fits every line to the width and the frame to the height, keeping the newest events', () => {
    const model = busyModel();
    for (let i = 1; i <= 40; i++) model.addEvent({ type: 'LOG', message: `event number ${i} ${'x'.repeat(100)}`, source: 'src/a.ts:1', timestamp: '10:00:00' });
    const text = renderDashboard(model.view(NOW), { width: 60, height: 20, color: true });
    const lines = text.split('\n');
    expect(lines).toHaveLength(20);
    for (const line of lines) expect(stripAnsi(line).length).toBeLessThanOrEqual(60);
    expect(text).toContain('event number 40');
    expect(text).not.toContain('event number 30 ');
    expect(text).toContain('\x1b[32m');
  });

  it('fits a tiny terminal too (a narrow tmux pane): never a line wider or a frame taller than asked', () => {
    const model = busyModel();
    for (const [width, height] of [[15, 9], [20, 4], [8, 2]] as const) {
      const lines = renderDashboard(model.view(NOW), { width, height, color: true }).split('\n');
      expect(lines.length, `${width}x${height}`).toBeLessThanOrEqual(height);
      for (const line of lines) expect(stripAnsi(line).length, `${width}x${height}: ${line}`).toBeLessThanOrEqual(width);
    }
  });

  it('prints text from events as text: control characters cannot move the cursor or forge lines', () => {
    const model = busyModel();
    model.addEvent({ type: 'LOG', message: 'evil\x1b[2J\nFORGED LINE', source: 'src/a.ts:1', timestamp: '10:00:00' });
    const text = renderDashboard(model.view(NOW), { width: 120, height: 40, color: false });
    expect(text).not.toContain('\x1b');
    expect(text.split('\n').some((line) => line.startsWith('FORGED'))).toBe(false);
    expect(renderSummaryLine(model.view(NOW))).not.toContain('\n');
  });

  it('shows PnL in two quote currencies on a line each, labelled, never added together, fees with the digits they have (BTC/USD traded before UNITTEST/BTC)', () => {
    const d = (text: string): Decimal => Decimal.parse(text);
    const model = busyModel();
    model.setSession('session_20220103_100000', 'paper', 'BTC');
    model.setPositions([{ symbol: 'UNITTEST/BTC', qty: d('5'), entryPx: d('0.00198271'), entryCost: d('0.00991355'), entryFees: d('0'), decisionId: 'dec_20220103_185200_5ff2ca' }]);
    model.setPrice('UNITTEST/BTC', d('0.002'));
    model.setPnl(new Map([['BTC', d('-0.000061757')], ['USD', d('-0.4630855')]]), new Map([['BTC', d('0.00037645')], ['USD', d('0.4715855')]]));
    const view = model.view(NOW);
    expect(view.pnl.map((p) => [p.currency, p.realized.toString(), p.unrealized.toString(), p.fees.toString()])).toEqual([
      ['BTC', '-0.000061757', '0.00008645', '0.00037645'],
      ['USD', '-0.4630855', '0', '0.4715855'],
    ]);
    const text = renderDashboard(view, { width: 120, height: 40, color: false });
    // The BTC fees were shown as 0.00.
    expect(text).toContain('PNL  BTC  realized -0.000062  unrealized +0.000086  fees 0.00037645\n     USD  realized -0.46  unrealized +0.00  fees 0.47\n');
    expect(renderSummaryLine(view)).toContain(' | BTC realized=-0.000062 unrealized=+0.000086 fees=0.00037645 | USD realized=-0.46 unrealized=+0.00 fees=0.47 | ');
  });

  it("labels PnL in a currency other than the session's: a BTC session that booked nothing yet does not show an earlier USD session's PnL as its own", () => {
    const d = (text: string): Decimal => Decimal.parse(text);
    const model = busyModel();
    model.setSession('session_20220103_100000', 'paper', 'BTC');
    model.setPositions([]);
    model.setPnl(new Map([['USD', d('-0.4630855')]]), new Map([['USD', d('0.4715855')]]));
    const view = model.view(NOW);
    expect(view.pnl.map((p) => [p.currency, p.realized.toString()])).toEqual([['BTC', '0'], ['USD', '-0.4630855']]);
    // It read 'PNL  realized -0.46  unrealized +0.00  fees 0.47', as if the BTC session had lost 0.46 BTC.
    expect(renderDashboard(view, { width: 120, height: 40, color: false })).toContain('PNL  BTC  realized +0.00  unrealized +0.00  fees 0.00\n     USD  realized -0.46  unrealized +0.00  fees 0.47\n');
    expect(renderSummaryLine(view)).toContain(' | BTC realized=+0.00 unrealized=+0.00 fees=0.00 | USD realized=-0.46 unrealized=+0.00 fees=0.47 | ');
  });

  it('summarizes a frame on one plain line for piped output', () => {
    const line = renderSummaryLine(busyModel().view(NOW));
    expect(line).toBe('[10:06:07Z] bars=1234 | positions=1 (BTC/USDT 0.01@45000.00 uPnL +1.00) | realized=-3.25 unrealized=+1.00 fees=0.45 | failures=timeout_exhausted=2 min_notional=1 | loops=STALLED DustSweeper (1m35s) | last=dec_20220103_100500_00a1b2 BTC/USDT filled');
  });

  it('takes last prices from a price source when the engine does not push them', () => {
    const model = busyModel();
    model.setPositions([{ symbol: 'ETH/USDT', qty: Decimal.parse('2'), entryPx: Decimal.parse('3000'), entryCost: Decimal.parse('6000'), entryFees: Decimal.ZERO, decisionId: 'dec_20220103_100600_00a1b3' }]);
    model.setPriceSource((symbol) => (symbol === 'ETH/USDT' ? Decimal.parse('2990.5') : undefined));
    model.recordDecision({ decisionId: 'dec_20220103_100600_00a1b3', symbol: 'ETH/USDT', outcome: 'no_signal', detail: undefined, at: NOW });
    const view = model.view(NOW);
    expect(view.positions[0]?.unrealizedPnl?.toString()).toBe('-19');
    expect(view.pnl.map((p) => [p.currency, p.unrealized.toString()])).toEqual([['USDT', '-19']]);
    expect(renderDashboard(view, { width: 120, height: 40, color: false })).toMatch(/ETH\/USDT\s+2\s+3000\.00\s+2990\.50\s+-19\.00/);
  });

  it('counts unrealized PnL after the entry fees still held and the exit fee, as the session summary does (they differed: +0.07 vs +0.0258)', () => {
    const model = busyModel();
    model.setPositions([{ symbol: 'ETH/USDT', qty: Decimal.parse('0.01'), entryPx: Decimal.parse('3000'), entryCost: Decimal.parse('30'), entryFees: Decimal.parse('0.03'), decisionId: 'dec_20220103_100600_00a1b3' }]);
    model.setPrice('ETH/USDT', Decimal.parse('3007'));
    const view = model.view(NOW);
    // 30.07 of value, less its 0.03007 exit fee (the entry's 0.1%), the 30 paid and the 0.03 entry fee.
    expect(view.positions[0]?.unrealizedPnl?.toString()).toBe('0.00993');
    expect(view.pnl.map((p) => [p.currency, p.unrealized.toString()])).toEqual([['USDT', '0.00993']]);
  });
});

describe('renderDashboard: the ALERTS panel', () => {
  const fired = (alertId: string, at: number): AlertFired => ({
    kind: 'fired', alertId, rule: 'order_failure_rate', subject: 'orders', severity: 'critical',
    message: '6 of 6 order intents failed (100% > 50%) in the last 300 s; reasons: rejected 6', evidence: [], nextCommand: 'tradetrace failures', at,
  });

  it('shows an alert from its firing until its resolution, then as resolved for a while, then not at all', () => {
    const model = busyModel();
    const plainAt = (now: number): string => renderDashboard(model.view(now), { width: 140, height: 40, color: false });
    expect(plainAt(NOW)).toContain('ALERTS  none firing');
    model.recordAlert(fired('alert_1', NOW - 133_000));
    model.recordAlert({ ...fired('alert_2', NOW - 5_000), rule: 'heartbeat_missing', subject: 'session_20220103_100000', severity: 'warning', message: 'no SHUTDOWN_HEARTBEAT for more than 90.0 s' });
    const firing = plainAt(NOW);
    expect(firing).toContain('ALERTS  2 firing\n  CRITICAL order_failure_rate [orders]  since 10:03:54 (2m13s)  6 of 6 order intents failed (100% > 50%)');
    expect(firing).toContain('\n  WARNING  heartbeat_missing [session_20220103_100000]  since 10:06:02 (5.0s)  no SHUTDOWN_HEARTBEAT for more than 90.0 s');
    // Above the positions: the first thing under the title.
    expect(firing.split('\n')[2]).toBe('ALERTS  2 firing');

    model.recordAlert({ kind: 'resolved', alertId: 'alert_1', rule: 'order_failure_rate', subject: 'orders', message: 'rate back under the threshold', firedAt: NOW - 133_000, at: NOW });
    const resolved = plainAt(NOW + 1_000);
    expect(resolved).toContain('ALERTS  1 firing\n  WARNING  heartbeat_missing');
    expect(resolved).not.toContain('CRITICAL order_failure_rate');
    expect(resolved).toContain('  resolved order_failure_rate [orders]  at 10:06:07 after 2m13s  rate back under the threshold');
    // Gone once it is no longer recent.
    expect(plainAt(NOW + 5 * 60_000 + 1)).not.toContain('order_failure_rate');
    expect(renderSummaryLine(model.view(NOW + 1_000))).toContain(' | alerts=FIRING heartbeat_missing [session_20220103_100000] warning');
  });

  it('keeps the frame within the terminal with many alerts firing: four rows and a count of the rest', () => {
    const model = busyModel();
    for (let i = 0; i < 7; i++) model.recordAlert({ ...fired(`alert_${i}`, NOW - i * 1000), subject: `loop_${i}` });
    const lines = renderDashboard(model.view(NOW), { width: 80, height: 24, color: true }).split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(stripAnsi(line).length).toBeLessThanOrEqual(80);
    const plain = lines.map(stripAnsi);
    expect(plain.filter((l) => l.startsWith('  CRITICAL'))).toHaveLength(4);
    expect(plain).toContain('  ... 3 more firing (tradetrace alerts lists them all)');
    // The oldest first among equals.
    expect(plain.find((l) => l.startsWith('  CRITICAL'))).toContain('[loop_6]');
  });
});

describe('renderDashboard: what is never cut', () => {
  const d = (text: string): Decimal => Decimal.parse(text);

  it('shows a position\'s whole decision id at 80 columns (it read dec_2…), and on a narrower one leaves out ENTRY and LAST before cutting it', () => {
    const model = busyModel();
    model.setPositions([{ symbol: 'BTC/USDT', qty: d('0.00123456'), entryPx: d('45000.12'), entryCost: d('55.5'), entryFees: d('0'), decisionId: 'dec_20220103_100500_00a1b2c' }]);
    const at80 = renderDashboard(model.view(NOW), { width: 80, height: 24, color: false }).split('\n');
    for (const line of at80) expect(line.length).toBeLessThanOrEqual(80);
    expect(at80.find((l) => l.startsWith('  BTC/USDT'))).toMatch(/^ {2}BTC\/USDT\s+0\.00123456\s+45000\.12\s+45100\.00\s+\+0\.18 {2}dec_20220103_100500_00a1b2c$/);
    const at56 = renderDashboard(model.view(NOW), { width: 56, height: 24, color: false }).split('\n');
    for (const line of at56) expect(line.length).toBeLessThanOrEqual(56);
    expect(at56.find((l) => l.includes('DECISION'))).toMatch(/^ {2}SYMBOL\s+QTY\s+uPnL {2}DECISION$/);
    expect(at56.find((l) => l.startsWith('  BTC/USDT'))).toMatch(/^ {2}BTC\/USDT\s+0\.00123456\s+\+0\.18 {2}dec_20220103_100500_00a1b2c$/);
  });

  it('shows UNITTEST/USD whole in positions and decisions at 140 columns (it read UNITTEST/…), and caps a runaway symbol', () => {
    const model = busyModel();
    model.setPositions([{ symbol: 'UNITTEST/USD', qty: d('5'), entryPx: d('0.5'), entryCost: d('2.5'), entryFees: d('0'), decisionId: 'dec_20220103_100600_00a1b3' }]);
    model.recordDecision({ decisionId: 'dec_20220103_100600_00a1b3', symbol: 'UNITTEST/USD', outcome: 'filled', detail: undefined, at: NOW });
    const text = renderDashboard(model.view(NOW), { width: 140, height: 40, color: false });
    expect(text).toMatch(/\n {2}UNITTEST\/USD\s+5\s+0\.50000000\s+-\s+-\s+dec_20220103_100600_00a1b3\n/);
    expect(text).toMatch(/\n {2}bar 10:06:07 dec_20220103_100600_00a1b3 UNITTEST\/USD filled\s*\n?/);
    expect(text).not.toContain('…');
    model.recordDecision({ decisionId: 'dec_20220103_100601_00a1b4', symbol: 'AVERYLONGTOKENNAME123/USD', outcome: 'no_signal', detail: undefined, at: NOW });
    expect(renderDashboard(model.view(NOW), { width: 140, height: 40, color: false })).toContain(' AVERYLONGTOKENNAME1… no_signal');
  });

  it('counts in each header all there were, and says how many it draws under it (LAST DECISIONS (20) drew 10)', () => {
    const model = busyModel();
    for (let i = 0; i < 30; i++) model.recordDecision({ decisionId: `dec_20220103_1006${String(i).padStart(2, '0')}_00a1b3`, symbol: 'BTC/USDT', outcome: 'no_signal', detail: undefined, at: NOW });
    for (let i = 0; i < 30; i++) model.addEvent({ type: 'LOG', message: `m${i}`, source: 'src/a.ts:1', timestamp: '10:00:00' });
    for (const [width, height] of [[140, 39], [80, 23], [100, 60], [80, 12]] as const) {
      const lines = renderDashboard(model.view(NOW), { width, height, color: false }).split('\n');
      expect(lines.length).toBeLessThanOrEqual(height);
      // busyModel's two decisions and these 30 (the model keeps 20), and the 30 events.
      for (const [header, count] of [['RECENT EVENTS (', '30'], ['LAST DECISIONS (', '32']] as const) {
        const at = lines.findIndex((l) => l.startsWith(header));
        expect(at, `${header} at ${width}x${height}`).toBeGreaterThan(0);
        const rows = lines.slice(at + 1).findIndex((l) => !l.startsWith('  '));
        const drawn = rows < 0 ? lines.length - at - 1 : rows;
        const shown = drawn === 0 ? 'none shown: terminal too short' : `newest ${drawn} shown`;
        expect(lines[at], `${width}x${height}`).toBe(`${header}${count}, ${shown})`);
      }
    }
  });
});
