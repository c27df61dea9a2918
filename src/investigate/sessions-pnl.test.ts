import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// No command answered "which session lost money?": sessions now shows each session's realized PnL
// from its SESSION_END summary (the fields src/engine/session-summary.ts writes), per currency; a
// session that wrote none gets the sum of its SELL_FILLED lines (none here: 0, said so).
// (sessions-restart.test.ts: a killed session that sold.)

const pnl = (realized: string, total: string) => ({ realized_pnl: realized, realized_pnl_reconciled: '0', realized_pnl_total: total, fees_total: '1.2' });

/** A session ending as paper ends one: SESSION_END with its summary. */
function endWithSummary(s: SessionWriter, summary: Record<string, unknown>): void {
  s.emit('SHUTDOWN_REQUESTED', { reason: 'SIGINT', running: ['engine'] });
  s.tick(100).emit('SHUTDOWN_COMPLETE', { components: [{ name: 'engine', result: 'stopped', duration_ms: 80 }], exit_code: 0, duration_ms: 100 });
  s.emit('SESSION_END', { reason: 'data_end', exit_code: 0, duration_ms: 60_100, summary });
  s.abandon();
}

describe('sessions: realized PnL per session', () => {
  const dir = tempDir('tt-sessions-pnl-');
  const lost = new SessionWriter({ dataDir: dir, sessionId: 'session_20251028_080000', start: new Date('2025-10-28T08:00:00.000Z'), config: BASE_CONFIG, manifest: false });
  lost.tick(60_000).noSignal('BTC/USDT', '45000');
  endWithSummary(lost, { decisions: 1, realized_pnl: '-31.4417798', quote_currency: 'USDT', pnl_by_currency: { USDT: pnl('-31.4417798', '-31.4417798') } });
  // Two currencies: a fill reconciled at the start in EUR, kept apart, and one the directory holds but this session did not touch.
  const two = new SessionWriter({ dataDir: dir, sessionId: 'session_20251028_090000', start: new Date('2025-10-28T09:00:00.000Z'), config: BASE_CONFIG, manifest: false });
  two.tick(60_000).noSignal('BTC/USDT', '45000');
  endWithSummary(two, { realized_pnl: '12.5', quote_currency: 'USDT', pnl_by_currency: { USDT: pnl('12.5', '-18.9417798'), EUR: pnl('-2', '-2'), GBP: pnl('0', '7') } });
  // Written before PnL was kept per currency.
  const old = new SessionWriter({ dataDir: dir, sessionId: 'session_20251028_100000', start: new Date('2025-10-28T10:00:00.000Z'), config: BASE_CONFIG, manifest: false });
  old.tick(60_000).noSignal('BTC/USDT', '45000');
  endWithSummary(old, { realized_pnl: '3', quote_currency: 'USDT' });
  const killed = new SessionWriter({ dataDir: dir, sessionId: 'session_20251028_110000', start: new Date('2025-10-28T11:00:00.000Z'), config: BASE_CONFIG, manifest: false });
  killed.tick(60_000).noSignal('BTC/USDT', '45000');
  killed.abandon();

  it('text: one line per session, each currency apart, unknown without a summary', async () => {
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.code).toBe(0);
    const shown = r.stdout.split('\n').filter((l) => l.includes('realized PnL'));
    expect(shown).toEqual([
      '      realized PnL: -31.4417798 USDT',
      '      realized PnL: 12.5 USDT, -2 EUR',
      '      realized PnL: 3 USDT',
      '      realized PnL: 0 (no SELL_FILLED line: it wrote no SESSION_END)',
    ]);
  });

  it('--json: realizedPnl per currency, with its source', async () => {
    const r = await runQuery(['sessions', '--json', '--data-dir', dir]);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { sessionId: string; realizedPnl: unknown; realizedPnlSource: unknown });
    expect(rows.map((row) => [row.sessionId, row.realizedPnl, row.realizedPnlSource])).toEqual([
      ['session_20251028_080000', { USDT: '-31.4417798' }, 'session_end'],
      ['session_20251028_090000', { USDT: '12.5', EUR: '-2' }, 'session_end'],
      ['session_20251028_100000', { USDT: '3' }, 'session_end'],
      // No SELL_FILLED line, and no config.json to name its quote currency by: nothing realized in any.
      ['session_20251028_110000', {}, 'sell_filled'],
    ]);
  });
});
