import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeConfigDrift, writeRefusedDrift } from './testing/incidents.js';

// drift --session filters to that session's config and its changes; an unknown session is a typo
// to point out as every other reader does (exit 1); a window that holds none of the CONFIG_HASH
// lines says so and where they are, not that no session logged its config.
describe('drift --session and --since/--until', () => {
  it('an unknown --session names the known ones and exits 1, with or without --json', async () => {
    const dir = tempDir('tt-drift-nope-');
    const facts = writeConfigDrift(dir);
    for (const json of [[], ['--json']]) {
      const r = await runQuery(['drift', '--session', 'session_nope', ...json, '--data-dir', dir]);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `tradetrace drift: no session matches --session "session_nope" in ${join(dir, 'logs')}; known: ${facts.second}, ${facts.first}\n`]);
    }
  });

  it('a known --session shows its config and the change into it, not the other sessions', async () => {
    const dir = tempDir('tt-drift-one-');
    const facts = writeRefusedDrift(dir);
    // first -> refused and first -> third: --session third leaves the refused session out.
    const third = await runQuery(['drift', '--session', facts.third, '--json', '--data-dir', dir]);
    expect(third.code).toBe(0);
    const parsed = JSON.parse(third.stdout) as { sessions: { sessionId: string }[]; drifts: { from: string; to: string }[] };
    expect(parsed.sessions.map((s) => s.sessionId)).toEqual([facts.first, facts.third]);
    expect(parsed.drifts.map((d) => [d.from, d.to])).toEqual([[facts.first, facts.third]]);
    // The first session: both changes out of it.
    const first = await runQuery(['drift', '--session', facts.first, '--data-dir', dir]);
    expect(first.stdout).toContain('config hash per session (3 sessions, 2 changes):');
    const plain = tempDir('tt-drift-same-');
    const drift = writeConfigDrift(plain);
    const text = await runQuery(['drift', '--session', drift.second, '--data-dir', plain]);
    expect(text.stdout).toContain('config hash per session (2 sessions, 1 change):');
    expect(text.stdout).toContain(`drift ${drift.prevHash.slice(0, 8)} -> ${drift.currentHash.slice(0, 8)}: ${drift.first} -> ${drift.second} (3 changed paths)`);
    // Its own config, path by path, as the help says; a secret only as set or not.
    expect(text.stdout).toContain(`config of ${drift.second} (${drift.currentHash}), as its CONFIG_HASH line logged it:\n  exchange.api_key = [set]\n  exchange.name = "binance"\n`);
    expect(text.stdout).toContain('\n  trading.max_open_positions = 5\n');
  });

  it('a window with no CONFIG_HASH line says the lines lie outside it, and how many', async () => {
    const dir = tempDir('tt-drift-window-');
    const facts = writeConfigDrift(dir);
    const logs = join(dir, 'logs');
    const later = await runQuery(['drift', '--since', '2030-01-01T00:00Z', '--data-dir', dir]);
    expect([later.code, later.stdout]).toEqual([1, '']);
    expect(later.stderr).toBe(`tradetrace drift: no CONFIG_HASH line between 2030-01-01 00:00:00.000Z and now in ${logs}: all 2 CONFIG_HASH lines (2025-10-26 09:00:00.000Z to 2025-10-26 10:00:00.000Z) fall outside the window; drop --since/--until to see them\n`);
    expect(later.stderr).not.toContain('no session logged its config');
    const one = await runQuery(['drift', '--session', facts.first, '--since', '2025-10-26T09:30Z', '--data-dir', dir]);
    expect(one.stderr).toBe(`tradetrace drift: no CONFIG_HASH line between 2025-10-26 09:30:00.000Z and now in ${logs}: the one CONFIG_HASH line of ${facts.first} (2025-10-26 09:00:00.000Z) falls outside the window; drop --since/--until to see it\n`);
    const empty = await runQuery(['drift', '--data-dir', tempDir('tt-drift-empty-')]);
    expect(empty.code).not.toBe(0);
  });
});
