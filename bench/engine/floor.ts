/**
 * The work every engine run must do, each part measured alone in a hot loop (so faster than inside
 * the engine, where it shares caches with everything else): a lower bound on the cost per bar.
 * - the three lines every bar's decision writes (DECISION_START, a guard's BUY_BLOCKED, DECISION_END),
 *   with a new decision id and its trace context, on a NullSink: the spec asks one decision per bar;
 * - reading the candle file: the preflight scan, then the replay's parse into exact Decimals;
 * - three SQLite commits per order (recorded before it is sent, the paper account, the booked fill),
 *   each the smallest one possible: one small row into a 1 KB-page WAL file, as our files are opened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal } from '../../src/domain/decimal.js';
import { newDecisionId } from '../../src/domain/ids.js';
import { isoTime } from '../../src/market-data/bar.js';
import { ReplayFeed } from '../../src/market-data/replay-feed.js';
import { NullSink } from '../../src/recorder/line-sink.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { withDecision } from '../../src/recorder/trace-context.js';
import { median } from '../median.js';

export interface Floor {
  /** Three lines of one blocked decision, us. */
  readonly decisionUs: number;
  /** Scan and parse of one bar of the file, us. */
  readonly readUs: number;
  /** One minimal WAL commit, us. */
  readonly commitUs: number;
}

const DECISIONS = 100_000;
const COMMITS = 2_000;

function decisionUs(): number {
  const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: new NullSink() });
  const prices = Array.from({ length: 1000 }, (_, i) => Decimal.parse(`${46000 + i}.${i % 10}`));
  const t0 = Date.UTC(2022, 0, 1);
  const decide = (i: number): void => {
    withDecision(newDecisionId(t0 + i * 60_000), () => {
      const started = performance.now();
      recorder.emit('DECISION_START', { symbol: 'BTC/USD', bar_ts: isoTime(t0 + i * 60_000), price: prices[i % prices.length] ?? Decimal.ONE, strategy: 'ema_rsi' });
      recorder.emit('BUY_BLOCKED', { symbol: 'BTC/USD', guard: 'max_open_positions', observed: 1, threshold: 1, message: 'open positions 1 of at most 1' });
      recorder.emit('DECISION_END', { symbol: 'BTC/USD', outcome: 'blocked', duration_ms: Math.round((performance.now() - started) * 1000) / 1000, reason: 'max_open_positions' });
    });
  };
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < DECISIONS; i++) decide(round * DECISIONS + i);
    rounds.push(((performance.now() - started) * 1000) / DECISIONS);
  }
  return median(rounds.slice(1));
}

async function readUs(file: string): Promise<number> {
  const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: new NullSink() });
  const rounds: number[] = [];
  for (let round = 0; round < 4; round++) {
    const started = performance.now();
    const feed = await ReplayFeed.open({ files: [file], speed: 'max', recorder, preflight: true });
    let bars = 0;
    await feed.start(() => void bars++);
    rounds.push(((performance.now() - started) * 1000) / bars);
  }
  return median(rounds.slice(1));
}

function commitUs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'tradetrace-bench-floor-'));
  try {
    const db = new Database(join(dir, 'floor.sqlite'));
    db.pragma('page_size = 1024');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const commit = db.transaction((body: string) => insert.run(body));
    const body = 'x'.repeat(200);
    const rounds: number[] = [];
    for (let round = 0; round < 4; round++) {
      const started = performance.now();
      for (let i = 0; i < COMMITS; i++) commit(body);
      rounds.push(((performance.now() - started) * 1000) / COMMITS);
    }
    db.close();
    return median(rounds.slice(1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureFloor(file: string): Promise<Floor> {
  return { decisionUs: decisionUs(), readUs: await readUs(file), commitUs: commitUs() };
}
