import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { StateStore } from '../store/state-store.js';
import { refuseLostBooks } from './lost-books.js';
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
  }, 180_000);

  it('stops trading at the next booking when state.sqlite is deleted mid-run, and the command it prints puts the books back', async () => {
    const dataDir = join(tempDir('tradetrace-lost-books-'), 'data');
    let fills = 0;
    const options = sessionOptions(dataDir, 'session_20220101_000000', {
      // After the first fill is booked: the position it opened is what must survive. Only the main
      // file goes, as `rm state.sqlite` does: its -wal and -shm stay behind.
      onPortfolioChanged: () => {
        if (++fills === 1) rmSync(join(dataDir, 'state.sqlite'));
      },
    });
    const session = await PaperSession.open(options);
    const result = await session.run();
    options.recorder.close();
    expect(result.reason).toBe('error');
    const message = result.error?.message ?? '';
    expect(message).toMatch(/state database .*state\.sqlite was deleted while the bot had it open/);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('state.sqlite.rescued-'))).toHaveLength(1);
    const logs = await readLogs(options.logsDir);
    const lastFill = logs.lines.filter((l) => l.event_type === 'BUY_FILLED' || l.event_type === 'SELL_FILLED').at(-1);
    expect(lastFill?.event_type).toBe('BUY_FILLED');

    // The operator runs what the message says, as written.
    const command = /put it back: (.*)$/.exec(message)?.[1] ?? '';
    expect(command).toMatch(/^rm -f .*state\.sqlite-wal .*state\.sqlite-shm && mv .*state\.sqlite\.rescued-\S+ .*state\.sqlite$/);
    execSync(command);
    const books = StateStore.open({ dataDir });
    expect(books.positions().map((p) => p.decisionId)).toEqual([lastFill?.decision_id]);
    books.close();
  });

  it('at the restart, points at the copy saved for this account, and says the lost file\'s -wal must go first', () => {
    const dataDir = join(tempDir('tradetrace-lost-books-'), 'data');
    mkdirSync(dataDir, { recursive: true });
    const account = join(dataDir, PAPER_EXCHANGE_FILE);
    writeFileSync(account, '');
    writeFileSync(join(dataDir, 'state.sqlite-wal'), '');
    const old = join(dataDir, 'state.sqlite.rescued-20200101T000000000Z');
    writeFileSync(old, '');
    const copy = join(dataDir, 'state.sqlite.rescued-20220101T000000000Z');
    writeFileSync(copy, '');
    // The old copy predates the account's last change: it holds an older account's books.
    const past = new Date(Date.now() - 86_400_000);
    utimesSync(old, past, past);
    const refusal = (): string => {
      try {
        refuseLostBooks(dataDir, PAPER_EXCHANGE_FILE);
      } catch (error) {
        return (error as Error).message;
      }
      return 'not refused';
    };
    expect(refusal()).toContain(`(rm -f ${join(dataDir, 'state.sqlite-wal')} ${join(dataDir, 'state.sqlite-shm')} && mv ${copy} ${join(dataDir, 'state.sqlite')})`);
    rmSync(copy);
    expect(refusal()).toMatch(/restore it from a backup \(first rm -f .*state\.sqlite-wal .*: they belong to the lost file\) \(the copies tradetrace saved, the last from 20\d\d-.*, are older than the account's last change/);
  });
});
