import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeNoTrades } from './testing/incidents.js';

// The session runs from 10:00:00 to 10:05:31 (2025-10-26), and has a manifest.
describe('sessions with --since / --until', () => {
  it('lists no session that did not run in the window, and says so (exit 1)', async () => {
    const dir = tempDir('tt-sessions-window-');
    writeNoTrades(dir);
    for (const window of [['--since', '2030-01-01T00:00:00Z'], ['--until', '2000-01-01T00:00:00Z']]) {
      const r = await runQuery(['sessions', '--data-dir', dir, ...window]);
      expect([r.code, r.stdout], window.join(' ')).toEqual([1, '']);
      expect(r.stderr).toContain('tradetrace sessions: no session ran between');
    }
  });

  it('for a window inside a session, keeps its config hash and says the counts are of the window', async () => {
    const dir = tempDir('tt-sessions-window-');
    writeNoTrades(dir);
    const all = await runQuery(['sessions', '--data-dir', dir]);
    const hash = /config ([0-9a-f]{16})/.exec(all.stdout)?.[1];
    expect(hash, all.stdout).toBeDefined();
    const late = await runQuery(['sessions', '--data-dir', dir, '--since', '2025-10-26T10:03:00Z']);
    expect(late.code).toBe(0);
    expect(late.stdout).toContain(`config ${hash ?? ''}`);
    expect(late.stdout).toMatch(/failures \d+ \(in the window\)/);
    expect(all.stdout).not.toContain('(in the window)');
  });
});
