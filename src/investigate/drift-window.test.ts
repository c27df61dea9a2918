import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeConfigDrift } from './testing/incidents.js';

// The change into the window's first session is compared with a session before the window: drift
// with --since must still show it (naming that session), never "every session ran with the same config".
describe('drift --since/--until and the session before the window', () => {
  it('shows the change into the first session of the window, from the session before it', async () => {
    const dir = tempDir('tt-drift-into-window-');
    const facts = writeConfigDrift(dir);
    const text = await runQuery(['drift', '--since', '2025-10-26T09:30Z', '--data-dir', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('config hash per session (1 session between 2025-10-26 09:30:00.000Z and now, 1 change):');
    expect(text.stdout).toContain(`  ${facts.first}  2025-10-26 09:00:00.000Z  ${facts.prevHash}  (outside the window: the session a change below is compared with)\n`);
    expect(text.stdout).toContain(`drift ${facts.prevHash.slice(0, 8)} -> ${facts.currentHash.slice(0, 8)}: ${facts.first} -> ${facts.second} (3 changed paths)`);
    expect(text.stdout).toContain('  trading.max_open_positions: 3 -> 5\n');
    expect(text.stdout).not.toContain('no drift');

    const json = await runQuery(['drift', '--since', '2025-10-26T09:30Z', '--json', '--data-dir', dir]);
    const parsed = JSON.parse(json.stdout) as { sessions: { sessionId: string; outsideWindow: boolean }[]; drifts: { from: string; to: string; changes: unknown[] }[] };
    expect(parsed.sessions.map((s) => [s.sessionId, s.outsideWindow])).toEqual([[facts.first, true], [facts.second, false]]);
    // Where each value came from: null, as these sessions' lines do not say.
    expect(parsed.drifts.map((d) => [d.from, d.to, d.changes])).toEqual([[facts.first, facts.second, facts.changes.map((c) => ({ ...c, fromSource: null, toSource: null }))]]);

    // --session of the window's session: the change into it, not "ran with the same config".
    const one = await runQuery(['drift', '--session', facts.second, '--since', '2025-10-26T09:30Z', '--data-dir', dir]);
    expect(one.stdout).toContain(`${facts.first} -> ${facts.second} (3 changed paths)`);
    expect(one.stdout).not.toContain('no drift');
  });

  it('a window holding only the first session says no session in it changed the config', async () => {
    const dir = tempDir('tt-drift-window-first-');
    writeConfigDrift(dir);
    const r = await runQuery(['drift', '--until', '2025-10-26T09:30Z', '--data-dir', dir]);
    expect(r.stdout).toContain('config hash per session (1 session between the start and 2025-10-26 09:30:00.000Z, 0 changes):');
    expect(r.stdout).toContain('no drift: no session between the start and 2025-10-26 09:30:00.000Z changed the config from the session before it');
    expect(r.stdout).not.toContain('every session ran with the same config');
  });
});
