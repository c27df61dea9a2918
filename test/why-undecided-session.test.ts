import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { runQuery } from './support/run-query.js';
import { ALTCOIN_JSON, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

const available = sharedDataAvailable();
const REPLAY = ['--set', 'trading.quote_currency=BTC', '--speed', 'max'];

// The README's order, literally: a session that moved the data directory's clock on, then a replay
// of older candles into it. The replay only warms the indicators and decides nothing; `why` led with
// the earlier session as the latest and said of the replay "the decision loop did not run".
describe.skipIf(!available)('why names a later session that decided nothing (real altcoin candles, replayed behind the clock)', () => {
  const root = tempDir('tradetrace-why-undecided-');
  const dataDir = join(root, 'data');
  let replay = '';

  beforeAll(async () => {
    const rows = JSON.parse(readFileSync(ALTCOIN_JSON, 'utf8')) as unknown[];
    const later = join(root, 'later', 'UNITTEST_BTC-1m.json');
    const earlier = join(root, 'earlier', 'UNITTEST_BTC-1m.json');
    for (const [path, slice] of [[later, rows.slice(3_000, 5_000)], [earlier, rows.slice(0, 2_000)]] as const) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify(slice));
    }
    const one = await runCli(['paper', '--data', later, ...REPLAY, '--data-dir', dataDir], { timeoutMs: 90_000 });
    expect(one.code, one.stderr).toBe(0);
    const two = await runCli(['paper', '--data', earlier, ...REPLAY, '--data-dir', dataDir], { timeoutMs: 90_000 });
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toContain('only warmed the indicators');
    replay = readdirSync(join(dataDir, 'sessions')).sort().at(-1) ?? '';
  }, 200_000);

  it('says first that the latest session decided nothing, and why', async () => {
    const r = await runQuery(['why', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      `session ${replay} decided nothing: its 2000 bars only warmed the indicators (at or before where this data directory stood: decided by an earlier session, or older than its clock); replay into a fresh --data-dir to decide them`,
    );
  });

  it('why --session of that session says the same, not that the decision loop did not run', async () => {
    const r = await runQuery(['why', '--session', replay, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`session ${replay} decided nothing: its 2000 bars only warmed the indicators`);
    expect(r.stdout + r.stderr).not.toContain('did not run');
  });
});
