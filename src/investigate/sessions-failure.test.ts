import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// A restart refused before trading (the data changed, the books were lost) ends at once: sessions
// must say why, as health does, or the operator sees only "refused (exit 2)" and 0 decisions.
describe('sessions: why a session ended in an error or was refused', () => {
  const dir = tempDir('tt-sessions-failure-');
  const first = new SessionWriter({ dataDir: dir, sessionId: 'session_20251030_090000', start: new Date('2025-10-30T09:00:00.000Z'), config: BASE_CONFIG });
  first.tick(60_000).end('signal', 0);
  const refused = new SessionWriter({ dataDir: dir, sessionId: 'session_20251030_100000', start: new Date('2025-10-30T10:00:00.000Z'), config: BASE_CONFIG });
  const message = '/data/BTC_USD-1m.csv is not the data /data/D traded BTC/USD on: its bar of 2022-01-01T00:40:00.000Z closed at 46554, and the file now says 23277';
  refused.tick(100).end('refused', 2, { error_code: 'data_changed', message });

  it('prints the SESSION_END error code and message under the refused session only, in place of its PnL', async () => {
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [, clean = '', later = ''] = r.stdout.split(/\n(?=  session_)/);
    expect(clean).not.toContain('why:');
    expect(later).toContain('exit: refused (exit 2)');
    // A refused start never traded: why it was refused stands where the PnL would.
    expect(later).toContain(`\n      refused before trading: data_changed: ${message}`);
    expect(later).not.toContain('realized PnL');
  });

  it('--json carries it as failureCode and failureMessage (null for a clean end)', async () => {
    const r = await runQuery(['sessions', '--data-dir', dir, '--json']);
    const rows = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { sessionId: string; failureCode: unknown; failureMessage: unknown });
    expect(rows.map((row) => [row.sessionId, row.failureCode, row.failureMessage])).toEqual([
      ['session_20251030_090000', null, null],
      ['session_20251030_100000', 'data_changed', message],
    ]);
  });
});
