import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { REPLAY_WINDOW_NOTE } from './render/empty-answer.js';
import { writeOrderFailures } from './testing/incidents.js';

// A query that finds nothing says what narrowed it: "no order intents match" alone sent the
// operator to doubt the logs when a filter (a misspelt symbol, a window of candle dates) was the cause.
describe('an empty answer names the filters that emptied it', () => {
  const dataDir = tempDir('tt-empty-answer-');
  writeOrderFailures(dataDir);

  it('orders names its flags and its window, and that the window is of writing time, not of a replayed candle', async () => {
    const bySymbol = await runQuery(['orders', '--symbol', 'BTC/USDT', '--status', 'canceled', '--data-dir', dataDir]);
    expect(bySymbol.code).toBe(1);
    expect(bySymbol.stderr).toMatch(/^tradetrace orders: no order intents match \(--symbol BTC\/USDT, --status canceled\) in \d+ log files of /);
    expect(bySymbol.stderr).not.toContain('--since/--until');
    const byWindow = await runQuery(['orders', '--since', '2022-01-15', '--until', '2022-01-16', '--data-dir', dataDir]);
    expect(byWindow.code).toBe(1);
    expect(byWindow.stderr).toContain('no order intents match (lines written from 2022-01-15 00:00:00.000Z to 2022-01-16 23:59:59.999Z) in ');
    expect(byWindow.stderr).toContain(REPLAY_WINDOW_NOTE);
  });

  it('dash and why say the same of a window', async () => {
    const dash = await runQuery(['dash', '--since', '2022-01-15', '--until', '2022-01-16', '--data-dir', dataDir]);
    expect(dash.stderr).toContain('no dashboard notifications (lines written from 2022-01-15 00:00:00.000Z to 2022-01-16 23:59:59.999Z) in ');
    expect(dash.stderr).toContain(REPLAY_WINDOW_NOTE);
    const why = await runQuery(['why', '--since', '2022-01-15', '--until', '2022-01-16', '--data-dir', dataDir]);
    expect(why.code).toBe(1);
    expect(why.stdout + why.stderr).toContain(REPLAY_WINDOW_NOTE);
  });
});
