import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { btcPerpSlice, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { runReplaySession } from './__fixtures__/replay-session.js';

const available = sharedDataAvailable();

// An exit's lines said which rule fired at which price, but not on which bar: the bar had to be
// guessed from the next DECISION_START. EXIT_TRIGGERED and EXIT_BLOCKED now name it.
describe.skipIf(!available)('exit lines name the bar that fired them (real BTC perp candles)', () => {
  it("gives every EXIT_TRIGGERED the open time of a bar of the file whose close is the line's price", async () => {
    const dir = tempDir('tradetrace-exit-bar-');
    const csv = btcPerpSlice(dir, 'btc-3000.csv', 3000);
    const closes = new Map<string, Decimal>(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((row) => {
      const [ts, , , , close] = row.split(',');
      // '2021-12-31 23:01:00.000000', UTC: as the line's ISO text.
      return [`${(ts ?? '').slice(0, 10)}T${(ts ?? '').slice(11, 23)}Z`, Decimal.parse(close ?? '')] as const;
    }));
    const dataDir = join(dir, 'data');
    await runReplaySession(dataDir, csv, 'session_20220101_000000');
    const exits = (await readLogs(join(dataDir, 'logs'))).lines.flatMap((l) => (l.event_type === 'EXIT_TRIGGERED' ? [l] : []));
    expect(exits.length).toBeGreaterThan(5);
    for (const exit of exits) {
      const close = exit.bar_ts === undefined ? undefined : closes.get(exit.bar_ts);
      expect([exit.bar_ts, close?.toString()]).toEqual([exit.bar_ts, Decimal.from(exit.price).toString()]);
      expect(close).toBeDefined();
    }
  }, 120_000);
});
