import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type * as FileSinkModule from '../recorder/file-sink.js';
import { listLogFiles } from '../recorder/log-files.js';
import { newStats, type TimeWindow } from './query/find-events.js';
import { openLogSet } from './query/log-set.js';
import { listSessions } from './query/sessions-query.js';
import { SkippedLines } from './query/skipped-lines.js';
import { endsCacheDir } from './query/ends-cache.js';
import { cacheDir } from './query/why-cache.js';
import { explainNoBuys } from './query/why-query.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter, type ThreadState } from './testing/session-writer.js';

// The writer's recorder rotates every 8 KB here, as a bot's does every 256 MB: many rotated files per channel.
vi.mock('../recorder/file-sink.js', async (importOriginal) => {
  const real = await importOriginal<typeof FileSinkModule>();
  class SmallFileSink extends real.FileSink {
    constructor(dir: string, options: ConstructorParameters<typeof real.FileSink>[1] = {}) {
      super(dir, { rotateBytes: 8192, checkEveryLines: 1, ...options });
    }
  }
  return { ...real, FileSink: SmallFileSink };
});

const ALIVE: ThreadState[] = [{ name: 'DecisionLoop', alive: true, lastBeatAgeS: 1 }];
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
/** Far after every other line: the stray line is its session's last seen, and outside some windows. */
const STRAY_TS = '2025-10-29T23:00:00.000Z';

function trade(s: SessionWriter, i: number): void {
  const symbol = SYMBOLS[i % SYMBOLS.length] ?? 'BTC/USDT';
  s.tick(20_000);
  const kind = i % 5;
  if (kind === 0) s.noSignal(symbol, '100');
  else if (kind === 1) s.blocked(symbol, 'cooldown', 60_000 + (i % 3), 300_000, 'cooling down');
  else if (kind === 2) s.buy({ symbol, price: '100', qty: '1', quoteBudget: '100' });
  else if (kind === 3) s.buy({ symbol, price: '100', qty: '1', quoteBudget: '100', failure: { reason: 'min_notional', message: 'too small' } });
  else s.buy({ symbol, price: '100', qty: '1', quoteBudget: '100', retries: [{ retry: 'timeout', message: 'timed out' }] });
  if (i % 17 === 0) s.heartbeat(ALIVE);
}

/**
 * Four sessions through the real Recorder, every channel rotating at 8 KB: one with an unreadable
 * line in decisions.jsonl that only `why` looks for, one without a manifest and with a stray (but
 * readable) order line there, one with an unreadable line there that only `sessions` looks for, and
 * a last one that dies mid-buy (no SESSION_END, last seen on a line `sessions` does not count).
 */
function writeLogs(dataDir: string): void {
  const starts = ['2025-10-29T09:00:00.000Z', '2025-10-29T10:00:00.000Z', '2025-10-29T11:00:00.000Z', '2025-10-29T12:00:00.000Z'];
  const decisions = join(dataDir, 'logs', 'decisions.jsonl');
  for (const [k, start] of starts.entries()) {
    const sessionId = `session_20251029_${String(9 + k).padStart(2, '0')}0000`;
    const s = new SessionWriter({ dataDir, sessionId, start: new Date(start), config: { ...BASE_CONFIG, k }, manifest: k !== 1 });
    for (let i = 0; i < 90; i++) {
      trade(s, i + k);
      const at = s.now.toISOString();
      if (k === 1 && i === 45) appendFileSync(decisions, `{"ts":"${STRAY_TS}","level":"info","event_type":"ORDER_FILLED","session_id":"${sessionId}","seq":999999,"symbol":"BTC/USDT"}\n`);
      if (k === 0 && i === 60) appendFileSync(decisions, `{"ts":"${at}","level":"info","event_type":"DECISION_START","session_id":"${sessionId}",broken}\n`);
      if (k === 2 && i === 30) appendFileSync(decisions, `{"ts":"${at}","level":"info","event_type":"ORDER_FILLED","session_id":"${sessionId}","seq":"x"}\n`);
    }
    if (k === 3) {
      s.buyInFlight({ symbol: 'BTC/USDT', price: '100', qty: '1', quoteBudget: '100' });
      s.abandon();
    } else s.tick(1000).end('signal', 0);
  }
}

async function sessions(dataDir: string, window: TimeWindow, cache: boolean) {
  const skipped = new SkippedLines();
  const stats = newStats();
  const rows = await listSessions(openLogSet(dataDir), window, skipped, stats, { cache });
  return { rows: rows.map(({ manifest: _m, ...plain }) => plain), skipped: await skipped.report(), bytes: stats.bytes };
}

function rotatedDecisions(dataDir: string) {
  return listLogFiles(join(dataDir, 'logs'), ['decisions']).filter((f) => !f.current);
}

/** Windows that start, end or both inside rotated decisions files, and none. */
function windows(dataDir: string): TimeWindow[] {
  const rotated = rotatedDecisions(dataDir);
  const tsAt = (i: number) => {
    const lines = readFileSync(rotated[i]?.path ?? '', 'utf8').split('\n').filter(Boolean);
    return (JSON.parse(lines[Math.floor(lines.length / 2)] ?? '{}') as { ts: string }).ts;
  };
  const [a, b] = [tsAt(3), tsAt(rotated.length - 4)];
  return [{}, { since: a }, { until: b }, { since: a, until: b }];
}

const jsonFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
};
/** `why`'s summaries, and `sessions`' own. */
const cacheFiles = (dataDir: string): string[] => jsonFiles(cacheDir(dataDir));
const endsFiles = (dataDir: string): string[] => jsonFiles(endsCacheDir(dataDir));

const bytesOf = (paths: readonly string[]): number => paths.reduce((sum, p) => sum + statSync(p).size, 0);

describe('sessions: per-file summaries of rotated decisions files', () => {
  it('answers exactly as a full scan, then reads of the decisions files only the live one', async () => {
    const dir = tempDir('tt-sessions-cache-');
    writeLogs(dir);
    const rotated = rotatedDecisions(dir);
    expect(rotated.length).toBeGreaterThan(20);
    // sessions summarizes each rotated file from the scan it answers from; why's summaries are why's to build.
    const scannedWhole = await sessions(dir, {}, false);
    expect(await sessions(dir, {}, true)).toEqual(scannedWhole);
    expect(cacheFiles(dir)).toEqual([]);
    // Every rotated decisions file but the two with a line of sessions' types other than a readable DECISION_END.
    expect(endsFiles(dir)).toHaveLength(rotated.length - 2);
    await explainNoBuys(openLogSet(dir), { window: {} }, new SkippedLines(), newStats());
    for (const window of windows(dir)) {
      const scanned = await sessions(dir, window, false);
      const first = await sessions(dir, window, true);
      const second = await sessions(dir, window, true);
      expect(first.rows, JSON.stringify(window)).toEqual(scanned.rows);
      expect(second.rows, JSON.stringify(window)).toEqual(scanned.rows);
      expect([first.skipped, second.skipped]).toEqual([scanned.skipped, scanned.skipped]);
    }
    const whole = await sessions(dir, {}, false);
    expect(whole.rows.map((r) => r.decisions)).toEqual([90, 90, 90, 90]);
    expect(whole.rows[3]?.exitReason).toBeNull();
    expect(whole.skipped).toMatch(/^skipped 1 unreadable line in .*decisions\.\d/);
    // Every rotated decisions file has a why summary but the one with a line why cannot read.
    expect(cacheFiles(dir)).toHaveLength(rotated.length - 1);
    // Read again: the live decisions file, the two rotated ones `sessions` cannot take from a summary
    // (a stray order line, an unreadable one), and the audit and orders files, nothing more.
    const live = listLogFiles(join(dir, 'logs'), ['decisions']).filter((f) => f.current);
    const odd = rotated.filter((f) => /"event_type":"ORDER_FILLED"/.test(readFileSync(f.path, 'utf8')));
    expect(odd).toHaveLength(2);
    const others = listLogFiles(join(dir, 'logs'), ['audit', 'orders']);
    const again = await sessions(dir, {}, true);
    expect(again.rows).toEqual(whole.rows);
    expect(again.bytes).toBe(bytesOf([...live, ...odd, ...others].map((f) => f.path)));
  });

  it('a first sessions run leaves summaries that the second answers from, the same answer; why answers as before', async () => {
    const dir = tempDir('tt-sessions-cache-first-');
    writeLogs(dir);
    const rotated = rotatedDecisions(dir);
    const live = listLogFiles(join(dir, 'logs'), ['decisions']).filter((f) => f.current);
    const odd = rotated.filter((f) => /"event_type":"ORDER_FILLED"/.test(readFileSync(f.path, 'utf8')));
    const others = listLogFiles(join(dir, 'logs'), ['audit', 'orders']);
    // The same logs in a data directory that never sees a cache, for `why`'s answer without one.
    const bare = tempDir('tt-sessions-cache-bare-');
    cpSync(join(dir, 'logs'), join(bare, 'logs'), { recursive: true });
    cpSync(join(dir, 'sessions'), join(bare, 'sessions'), { recursive: true });
    const scanned = await sessions(dir, {}, false);
    const cli = [await runQuery(['sessions', '--data-dir', dir]), await runQuery(['sessions', '--data-dir', dir, '--json'])];
    expect(cli[0]?.stdout).toContain('4 sessions:');
    expect(cli[0]?.stderr).toMatch(/^skipped 1 unreadable line in .*decisions\.\d/);
    // The first run read every file, and left a summary of each rotated decisions file it could.
    expect(endsFiles(dir)).toHaveLength(rotated.length - 2);
    const second = await sessions(dir, {}, true);
    expect(second.rows).toEqual(scanned.rows);
    expect(second.skipped).toBe(scanned.skipped);
    expect(second.bytes).toBe(bytesOf([...live, ...odd, ...others].map((f) => f.path)));
    expect([await runQuery(['sessions', '--data-dir', dir]), await runQuery(['sessions', '--data-dir', dir, '--json'])]).toEqual(cli);
    // why, after it, answers as it does on the same logs without any summary (it builds its own).
    const why = await runQuery(['why', '--data-dir', dir]);
    const whyBare = await runQuery(['why', '--data-dir', bare]);
    expect(why).toEqual({ ...whyBare, stdout: whyBare.stdout.replaceAll(bare, dir) });
    const whyScanned = await explainNoBuys(openLogSet(dir), { window: {} }, new SkippedLines(), newStats(), { cache: false });
    const whyCached = await explainNoBuys(openLogSet(dir), { window: {} }, new SkippedLines(), newStats());
    expect(JSON.stringify([...whyCached.outcomes])).toBe(JSON.stringify([...whyScanned.outcomes]));
    expect(await runQuery(['why', '--data-dir', dir])).toEqual(why);
    // And sessions still answers from its summaries.
    expect((await sessions(dir, {}, true)).bytes).toBe(second.bytes);
    expect([await runQuery(['sessions', '--data-dir', dir]), await runQuery(['sessions', '--data-dir', dir, '--json'])]).toEqual(cli);
  });

  it('answers the same when no summary can be written (a data directory it may not write)', async () => {
    const dir = tempDir('tt-sessions-cache-readonly-');
    writeLogs(dir);
    const scanned = await sessions(dir, {}, false);
    // A file where the index directory should be: every store fails (chmod would not stop root).
    writeFileSync(join(dir, 'index'), 'not a directory');
    for (let run = 0; run < 2; run++) {
      const cached = await sessions(dir, {}, true);
      expect(cached).toEqual(scanned);
    }
    const cli = await runQuery(['sessions', '--data-dir', dir]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('4 sessions:');
    expect(readFileSync(join(dir, 'index'), 'utf8')).toBe('not a directory');
  });

  it('prints the same text and --json with the cache as without one', async () => {
    const dir = tempDir('tt-sessions-cache-cli-');
    writeLogs(dir);
    const runs = windows(dir).flatMap((w) => [
      [...(w.since ? ['--since', w.since] : []), ...(w.until ? ['--until', w.until] : [])],
      [...(w.since ? ['--since', w.since] : []), ...(w.until ? ['--until', w.until] : []), '--json'],
    ]);
    runs.push(['--session', 'session_20251029_100000'], ['--session', 'session_20251029_120000', '--json']);
    // A file where the cache directory should be: nothing is loaded or stored, every file is scanned.
    mkdirSync(join(dir, 'index'), { recursive: true });
    writeFileSync(cacheDir(dir), 'not a directory');
    const without = [];
    for (const args of runs) without.push(await runQuery(['sessions', '--data-dir', dir, ...args]));
    expect(cacheFiles(dir)).toEqual([]);
    rmSync(cacheDir(dir));
    await runQuery(['why', '--data-dir', dir]);
    for (let pass = 0; pass < 2; pass++) {
      for (const [i, args] of runs.entries()) expect(await runQuery(['sessions', '--data-dir', dir, ...args]), `${pass} ${args.join(' ')}`).toEqual(without[i]);
    }
    expect(without[0]?.stdout).toContain('4 sessions:');
    expect(without[0]?.stderr).toMatch(/skipped 1 unreadable line/);
    expect(cacheFiles(dir).length).toBeGreaterThan(20);
  });

  it("takes `why`'s summaries only once checked: a line only `sessions` reads is still counted or reported", async () => {
    const dir = tempDir('tt-sessions-cache-why-');
    writeLogs(dir);
    const rotated = rotatedDecisions(dir);
    // `why` summarizes every rotated file but the one with its unreadable line: the stray and the
    // unreadable order lines are not its types.
    await explainNoBuys(openLogSet(dir), { window: {} }, new SkippedLines(), newStats());
    expect(cacheFiles(dir)).toHaveLength(rotated.length - 1);
    const scanned = await sessions(dir, {}, false);
    for (let run = 0; run < 2; run++) {
      const cached = await sessions(dir, {}, true);
      expect(cached.rows).toEqual(scanned.rows);
      expect(cached.skipped).toBe(scanned.skipped);
    }
    // The stray line's session is last seen on it: a summary that left it out would say otherwise.
    expect(scanned.rows.find((r) => r.sessionId === 'session_20251029_100000')?.lastSeen).toBe(STRAY_TS);
    // `why` still answers from the summaries `sessions` rewrote.
    const whyScanned = await explainNoBuys(openLogSet(dir), { window: {} }, new SkippedLines(), newStats(), { cache: false });
    const whyCached = await explainNoBuys(openLogSet(dir), { window: {} }, new SkippedLines(), newStats());
    expect(JSON.stringify([...whyCached.outcomes])).toBe(JSON.stringify([...whyScanned.outcomes]));
    expect(whyCached.decisions).toBe(whyScanned.decisions);
  });
});
