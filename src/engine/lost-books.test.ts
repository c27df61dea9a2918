import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { StateStore } from '../store/state-store.js';
import { PAPER_EXCHANGE_FILE, PaperSession, type PaperSessionOptions } from './paper-session.js';

const available = sharedDataAvailable();

function sessionOptions(dataDir: string, sessionId: string, observer?: PaperSessionOptions['observer']): PaperSessionOptions {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logsDir = join(dataDir, 'logs');
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  return { config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [BTC_PERP_CSV] }, speed: 'max', signals: false, watchdog: false, ...(observer ? { observer } : {}) };
}

const removeState = (dataDir: string): void => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `state.sqlite${suffix}`), { force: true });
};

describe.skipIf(!available)('the bot\'s books lost from under it (real BTC-PERP candles)', () => {
  it('refuses to start when state.sqlite is gone but the exchange account of an earlier session is there, and creates nothing', async () => {
    const dataDir = join(tempDir('tradetrace-lost-books-'), 'data');
    const first = sessionOptions(dataDir, 'session_20220101_000000');
    const session = await PaperSession.open(first);
    expect((await session.run()).reason).toBe('data_end');
    first.recorder.close();
    removeState(dataDir);

    const second = sessionOptions(dataDir, 'session_20220102_000000');
    const refused = await PaperSession.open(second).then(() => undefined, (error: unknown) => error);
    second.recorder.close();
    expect(refused).toMatchObject({ code: 'state_lost' });
    const message = (refused as Error).message;
    expect(message).toContain(join(dataDir, 'state.sqlite'));
    expect(message).toContain(join(dataDir, PAPER_EXCHANGE_FILE));
    expect(message).toMatch(/it holds [^)]*USD \d/);
    expect(existsSync(join(dataDir, 'state.sqlite'))).toBe(false);
  });

  it('stops trading at the next booking when state.sqlite is deleted mid-run, and saves what it held for the operator to put back', async () => {
    const dataDir = join(tempDir('tradetrace-lost-books-'), 'data');
    let fills = 0;
    const options = sessionOptions(dataDir, 'session_20220101_000000', {
      // After the first fill is booked: the position it opened is what must survive.
      onPortfolioChanged: () => {
        if (++fills === 1) removeState(dataDir);
      },
    });
    const session = await PaperSession.open(options);
    const result = await session.run();
    options.recorder.close();
    expect(result.reason).toBe('error');
    expect(result.error?.message).toMatch(/state database .*state\.sqlite was deleted while the bot had it open/);
    const rescued = readdirSync(dataDir).filter((name) => name.startsWith('state.sqlite.rescued-'));
    expect(rescued).toHaveLength(1);
    const logs = await readLogs(options.logsDir);
    const filled = logs.lines.filter((l) => l.event_type === 'BUY_FILLED' || l.event_type === 'SELL_FILLED');
    // The copy holds every booking the logs report: put back, it is the books as they were.
    const restored = join(dataDir, 'restored');
    rmSync(restored, { recursive: true, force: true });
    mkdirSync(restored);
    renameSync(join(dataDir, rescued[0] ?? ''), join(restored, 'state.sqlite'));
    const books = StateStore.open({ dataDir: restored });
    const lastFill = filled.at(-1);
    expect(lastFill?.event_type).toBe('BUY_FILLED');
    expect(books.positions().map((p) => p.decisionId)).toEqual([lastFill?.decision_id]);
    books.close();
  });
});
