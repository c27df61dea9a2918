import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { btcPerpSlice, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { StateStore } from '../store/state-store.js';
import { runReplaySession } from './__fixtures__/replay-session.js';
import { PaperSession } from './paper-session.js';
import { CURSOR_FILE } from './replay-cursor.js';
import { watchStartWarnings, type StartWarning } from './startup-warnings.js';

const available = sharedDataAvailable();

/** Opens and runs a paper session on `csv` as the paper command does, collecting the start warnings it prints. */
async function runWatched(dataDir: string, csv: string, sessionId: string): Promise<readonly StartWarning[]> {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logsDir = join(dataDir, 'logs');
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const watch = watchStartWarnings(recorder);
  try {
    const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [csv], symbols: ['BTC/USD'] }, speed: 'max', signals: false, watchdog: false });
    const result = await session.run();
    expect(result.reason, JSON.stringify(result)).toBe('data_end');
    return [...watch.warnings];
  } finally {
    watch.stop();
    recorder.close();
  }
}

describe.skipIf(!available)('a restart whose paper-cursor.json is missing', () => {
  it('resumes after the last bar the decision log shows decided, not after the last fill, and says so in a start warning', async () => {
    const dir = tempDir('tradetrace-no-cursor-');
    const dataDir = join(dir, 'data');
    const first = 'session_20220101_000000';
    await runReplaySession(dataDir, btcPerpSlice(dir, 'first.csv', 600), first);
    const store = StateStore.open({ dataDir });
    const booked = Math.max(...store.positions().map((p) => p.updatedAt), ...[...store.snapshot().lastExits.values()].map((e) => e.exitedAt));
    store.close();
    const before = (await readLogs(join(dataDir, 'logs'))).lines.filter((l) => l.event_type === 'DECISION_START').map((l) => String(l.bar_ts));
    const lastDecided = before.at(-1) ?? '';
    // The store's last booking lies well before the last decided bar: resuming there decides the bars between again.
    expect(booked).toBeLessThan(Date.parse(lastDecided));
    rmSync(join(dataDir, CURSOR_FILE));

    const second = 'session_20220101_000100';
    const warnings = await runWatched(dataDir, btcPerpSlice(dir, 'second.csv', 900), second);
    const logs = await readLogs(join(dataDir, 'logs'));
    const starts = logs.lines.filter((l) => l.event_type === 'DECISION_START');
    const bars = starts.map((l) => String(l.bar_ts));
    expect(bars.filter((bar, i) => bars.indexOf(bar) !== i)).toEqual([]);
    const resumedAt = starts.find((l) => l.session_id === second);
    expect(resumedAt?.bar_ts).toBe(new Date(Date.parse(lastDecided) + 60_000).toISOString());
    // The terminal is told, from the same LOG line the log holds.
    expect(warnings).toEqual([expect.objectContaining({ code: 'cursor_missing', data: expect.objectContaining({ resumes_after_bar: { 'BTC/USD': lastDecided } }) as unknown })]);
    expect(warnings[0]?.message).toContain(`${CURSOR_FILE} is missing from ${dataDir}`);
    expect(warnings[0]?.message).toContain(`BTC/USD after the bar of ${lastDecided} (its last decided bar, by ${first})`);
    const logged = logs.lines.filter((l) => l.event_type === 'LOG' && l.session_id === second && JSON.stringify(l).includes('cursor_missing'));
    expect(logged).toEqual([expect.objectContaining({ level: 'warn' })]);

    // The cursor is back: the next restart says nothing of it.
    expect(await runWatched(dataDir, btcPerpSlice(dir, 'third.csv', 960), 'session_20220101_000200')).toEqual([]);
  }, 120_000);

  it('a first session on a fresh directory is not warned about it', async () => {
    const dir = tempDir('tradetrace-no-cursor-fresh-');
    expect(await runWatched(join(dir, 'data'), btcPerpSlice(dir, 'first.csv', 60), 'session_20220101_000000')).toEqual([]);
  }, 60_000);

  it('a damaged cursor refuses the start saying to delete it; deleted, the restart resumes from the decision log', async () => {
    const dir = tempDir('tradetrace-bad-cursor-');
    const dataDir = join(dir, 'data');
    await runReplaySession(dataDir, btcPerpSlice(dir, 'first.csv', 120), 'session_20220101_000000');
    writeFileSync(join(dataDir, CURSOR_FILE), '{"last_bar_clo');
    await expect(runWatched(dataDir, btcPerpSlice(dir, 'second.csv', 180), 'session_20220101_000100')).rejects.toThrow(/got \{"last_bar_clo\. It is damaged: delete it \(or move it aside\) and start again; the restart then resumes each symbol after the last bar the decision log shows decided/);
    rmSync(join(dataDir, CURSOR_FILE));
    const warnings = await runWatched(dataDir, btcPerpSlice(dir, 'second.csv', 180), 'session_20220101_000200');
    expect(warnings.map((w) => w.code)).toEqual(['cursor_missing']);
    const bars = (await readLogs(join(dataDir, 'logs'))).lines.filter((l) => l.event_type === 'DECISION_START').map((l) => String(l.bar_ts));
    expect(new Set(bars).size).toBe(bars.length);
  }, 60_000);
});
