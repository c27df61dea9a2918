import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { runQuery } from './support/run-query.js';
import { ALTCOIN_JSON, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

const available = sharedDataAvailable();
const REPLAY = ['--set', 'trading.quote_currency=BTC', '--speed', 'max'];

interface Line {
  readonly event_type: string;
  readonly session_id: string;
  readonly decision_id?: string;
}

// `why` over every session led with an older session's most frequent guard (max_open_positions,
// thousands of refusals) and pointed `next:` at a decision of that session, while the latest session
// was blocked by global_trading alone: what blocks the bot now must come first.
describe.skipIf(!available)('why leads with what blocks the latest session (real altcoin candles, two sessions)', () => {
  const root = tempDir('tradetrace-why-latest-');
  const dataDir = join(root, 'data');
  let latest = '';
  let decisionSessions = new Map<string, string>();

  beforeAll(async () => {
    // The real candles in two slices (written to the test's temp dir, not the repository): the
    // second session trades on after the first, so its bars are decided, not only warmed on.
    const rows = JSON.parse(readFileSync(ALTCOIN_JSON, 'utf8')) as unknown[];
    const first = join(root, 'first', 'UNITTEST_BTC-1m.json');
    const second = join(root, 'second', 'UNITTEST_BTC-1m.json');
    for (const [path, slice] of [[first, rows.slice(0, 10_000)], [second, rows.slice(10_000, 12_000)]] as const) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify(slice));
    }
    const one = await runCli(['paper', '--data', first, ...REPLAY, '--data-dir', dataDir], { timeoutMs: 90_000 });
    expect(one.code, one.stderr).toBe(0);
    const two = await runCli(['paper', '--data', second, ...REPLAY, '--data-dir', dataDir], { env: { GLOBAL_TRADING: 'false' }, timeoutMs: 90_000 });
    expect(two.code, two.stderr).toBe(0);
    const lines = readFileSync(join(dataDir, 'logs/decisions.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Line);
    latest = lines.at(-1)?.session_id ?? '';
    decisionSessions = new Map(lines.filter((l) => l.event_type === 'DECISION_START').map((l) => [l.decision_id ?? '', l.session_id]));
  }, 180_000);

  it('headlines the latest session and its global_trading block, and traces one of its decisions next', async () => {
    const r = await runQuery(['why', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const [head = '', totals = ''] = r.stdout.split('\nall sessions: ');
    expect(head).toMatch(new RegExp(`^latest session ${latest}: \\d+ decisions: 0 bought\\n`));
    expect(head).toContain('global_trading');
    expect(head).not.toContain('max_open_positions');
    // The totals still list every guard of every session, the older session's most frequent first.
    expect(totals).toMatch(/blocked by guard \(observed value against threshold\):\n {2}max_open_positions/);
    const next = /\nnext: tradetrace trace (dec_\w+) --data-dir /.exec(r.stdout)?.[1] ?? '';
    expect(decisionSessions.get(next)).toBe(latest);
  });

  it('--json says the same in latest_session', async () => {
    const r = await runQuery(['why', '--json', '--data-dir', dataDir]);
    const parsed = JSON.parse(r.stdout) as { guards: { guard: string }[]; latest_session: { session: string; guards: { guard: string; latest: string }[] } };
    expect(parsed.guards[0]?.guard).toBe('max_open_positions');
    expect(parsed.latest_session.session).toBe(latest);
    expect(parsed.latest_session.guards.map((g) => g.guard)).toEqual(['global_trading']);
    expect(decisionSessions.get(parsed.latest_session.guards[0]?.latest ?? '')).toBe(latest);
  });

  it('--session of one session answers for it alone, without a second heading', async () => {
    const r = await runQuery(['why', '--session', latest, '--data-dir', dataDir]);
    expect(r.stdout).toMatch(new RegExp(`^\\d+ decisions in ${latest}: 0 bought\\n`));
    expect(r.stdout).not.toContain('all sessions');
  });
});
