import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { runQuery } from './support/run-query.js';
import { tempDir } from './support/temp-dir.js';

const PAPER = ['paper', '--synthetic', 'BTC/USD', '--set', 'trading.quote_currency=USD', '--speed', 'max', '--duration', '1s'];

interface DriftJson {
  sessions: { sessionId: string; hash: string; recovered: string | null }[];
  drifts: { from: string; to: string; source: string; changes: { path: string; from: unknown; to: unknown }[] }[];
}

/** Rewrites the audit log with the `nth` CONFIG_HASH line made invalid JSON, and lines of `drop` types removed from that session. */
function damage(dataDir: string, nth: number, drop: readonly string[] = []): { line: number; session: string } {
  const path = join(dataDir, 'logs/audit.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n');
  const hashes = lines.flatMap((l, i) => (l.includes('"event_type":"CONFIG_HASH"') ? [i] : []));
  const at = hashes[nth] ?? -1;
  const session = /"session_id":"([^"]+)"/.exec(lines[at] ?? '')?.[1] ?? '';
  lines[at] = (lines[at] ?? '').replace('"config":{', '"config":{{');
  const kept = lines.filter((l) => !drop.some((type) => l.includes(`"event_type":"${type}"`) && l.includes(`"session_id":"${session}"`)));
  writeFileSync(path, kept.join('\n'));
  return { line: kept.indexOf(lines[at] ?? '') + 1, session };
}

// One damaged CONFIG_HASH line made drift drop its session and merge the two changes around it into
// one ("computed from the logged snapshots: no CONFIG_DIFF line"), though the session's CONFIG_DIFF
// line and its sessions/<id>/ files were intact: drift uses them and says what was damaged.
describe('drift with a damaged CONFIG_HASH line (three real paper sessions)', () => {
  const root = tempDir('tradetrace-drift-damaged-');
  const intact = join(root, 'intact');

  beforeAll(async () => {
    for (const env of [{}, { TRADETRACE__EXECUTION__SLIPPAGE_BPS: '33' }, { TRADETRACE__EXECUTION__SLIPPAGE_BPS: '33', GLOBAL_TRADING: 'false' }]) {
      const r = await runCli([...PAPER, '--data-dir', intact], { env, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  it('keeps the session, both changes from their CONFIG_DIFF lines, and names the damaged line', async () => {
    const expected = JSON.parse((await runQuery(['drift', '--json', '--data-dir', intact])).stdout) as DriftJson;
    expect(expected.drifts.map((d) => d.changes.map((c) => c.path))).toEqual([['execution.slippage_bps'], ['trading.global_trading']]);
    const dir = join(root, 'damaged');
    cpSync(intact, dir, { recursive: true });
    const { line, session } = damage(dir, 1);
    const json = await runQuery(['drift', '--json', '--data-dir', dir]);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as DriftJson;
    expect(parsed.sessions.map((s) => [s.sessionId, s.hash])).toEqual(expected.sessions.map((s) => [s.sessionId, s.hash]));
    // The damaged line held that session's value sources: its CONFIG_OVERRIDES names the env and flag
    // values only, so the default its global_trading had is no longer known as such.
    const sourcesLost = expected.drifts.map((d, i) => (i === 1 ? { ...d, changes: d.changes.map((c) => ({ ...c, fromSource: null })) } : d));
    expect(parsed.drifts).toEqual(sourcesLost);
    const note = `its CONFIG_HASH line is damaged (audit.jsonl line ${line}: line is not JSON); hash from its CONFIG_DIFF line, config from sessions/${session}/config.json`;
    expect(parsed.sessions.find((s) => s.sessionId === session)?.recovered).toBe(note);
    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(text.stdout).toContain('config hash per session (3 sessions, 2 changes):');
    expect(text.stdout).toContain(`\n      ${note}\n`);
    expect(text.stdout).not.toContain('no CONFIG_DIFF line');
    expect(text.stderr).toContain(`skipped 1 unreadable line in audit.jsonl (line ${line})`);
  });

  it('without its CONFIG_DIFF line either: the hash of its SESSION_START line, the changes from its config.json', async () => {
    const expected = JSON.parse((await runQuery(['drift', '--json', '--data-dir', intact])).stdout) as DriftJson;
    const dir = join(root, 'damaged-no-diff');
    cpSync(intact, dir, { recursive: true });
    const { session } = damage(dir, 1, ['CONFIG_DIFF']);
    const parsed = JSON.parse((await runQuery(['drift', '--json', '--data-dir', dir])).stdout) as DriftJson;
    expect(parsed.sessions.map((s) => s.hash)).toEqual(expected.sessions.map((s) => s.hash));
    expect(parsed.sessions.find((s) => s.sessionId === session)?.recovered).toContain(`hash from its SESSION_START line, config from sessions/${session}/config.json`);
    // Into it: computed from its config.json; out of it: the next session's CONFIG_DIFF.
    expect(parsed.drifts.map((d) => [d.source, d.changes.map((c) => c.path)])).toEqual([['snapshots', ['execution.slippage_bps']], ['CONFIG_DIFF', ['trading.global_trading']]]);
  });
});
