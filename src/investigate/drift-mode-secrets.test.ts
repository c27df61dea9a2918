import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { SessionWriter } from './testing/session-writer.js';

function session(dataDir: string, id: string, start: string, config: Record<string, unknown>, mode: 'paper' | 'demo' = 'paper'): void {
  new SessionWriter({ dataDir, sessionId: id, start: new Date(start), config, mode }).tick(1000).end('signal', 0);
}

describe('drift compares a session with the one before it of its own mode, as the bot does', () => {
  it('never takes a demo run as the paper bot\'s baseline', async () => {
    const dir = tempDir('tt-drift-mode-');
    session(dir, 'session_20251026_090000', '2025-10-26T09:00:00.000Z', { market_data: { speed: 0 } });
    session(dir, 'session_20251026_100000', '2025-10-26T10:00:00.000Z', { market_data: { speed: 1 } }, 'demo');
    session(dir, 'session_20251026_110000', '2025-10-26T11:00:00.000Z', { market_data: { speed: 0 } });
    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('no drift: every session ran with the same config');
    expect(text.stdout).toMatch(/session_20251026_100000 .* demo/);
    const json = JSON.parse((await runQuery(['drift', '--json', '--data-dir', dir])).stdout) as { drifts: unknown[]; sessions: { mode: string }[] };
    expect(json.drifts).toEqual([]);
    expect(json.sessions.map((s) => s.mode)).toEqual(['paper', 'demo', 'paper']);
  });
});

describe('drift --session shows every secret of the schema as [set] or (unset)', () => {
  it('lists an unset alerts.webhook_url (a secret: its URL carries a token) as (unset), not (absent)', async () => {
    const dir = tempDir('tt-drift-webhook-');
    session(dir, 'session_20251026_090000', '2025-10-26T09:00:00.000Z', { alerts: { webhook_url: null }, exchange: { api_secret: null } });
    const text = await runQuery(['drift', '--data-dir', dir, '--session', 'session_20251026_090000']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('  alerts.webhook_url = (unset)');
    expect(text.stdout).toContain('  exchange.api_secret = (unset)');
  });
});

describe('drift says where a changed value came from in lines written before CONFIG_HASH logged it', () => {
  it('reads it from the session\'s CONFIG_OVERRIDES (env and --set); a value not named there is left unattributed', async () => {
    const dir = tempDir('tt-drift-overrides-');
    session(dir, 'session_20251026_090000', '2025-10-26T09:00:00.000Z', { execution: { slippage_bps: 20, fee_bps: 10 }, trading: { max_open_positions: 3 } });
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_100000', start: new Date('2025-10-26T10:00:00.000Z'), config: { execution: { slippage_bps: 35, fee_bps: 12 }, trading: { max_open_positions: 5 } } });
    s.emit('CONFIG_OVERRIDES', {
      message: 'Configuration overrides detected: --set trading.max_open_positions, TRADETRACE__EXECUTION__SLIPPAGE_BPS',
      overrides: { TRADETRACE__EXECUTION__SLIPPAGE_BPS: '35 (from env)', '--set trading.max_open_positions': '5 (from flag)' },
    });
    s.tick(1000).end('signal', 0);
    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('  execution.slippage_bps: 20 -> 35 (env TRADETRACE__EXECUTION__SLIPPAGE_BPS)\n');
    expect(text.stdout).toContain('  trading.max_open_positions: 3 -> 5 (flag --set trading.max_open_positions)\n');
    expect(text.stdout).toContain('  execution.fee_bps: 10 -> 12\n');
  });
});
