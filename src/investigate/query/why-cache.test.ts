import { appendFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { FileSink } from '../../recorder/file-sink.js';
import { listLogFiles } from '../../recorder/log-files.js';
import { Recorder } from '../../recorder/recorder.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';
import { newStats, type LocatedEvent, type TimeWindow } from './find-events.js';
import { openLogSet } from './log-set.js';
import { SkippedLines } from './skipped-lines.js';
import { cacheDir } from './why-cache.js';
import { explainNoBuys, type WhyReport } from './why-query.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
const GUARDS: [string, number | null, number][] = [['max_open_positions', 2, 2], ['cooldown', 60000, 300000], ['cooldown', 120000, 300000], ['volatility', null, 3]];

/**
 * Three sessions of decisions through the real Recorder and a FileSink that rotates every 8 KB: every
 * outcome, guards with several value pairs, failed buys some of which the order watcher fills later
 * (often in a later file), and two lines with the same ts and seq in different sessions.
 */
function writeLogs(dataDir: string): void {
  let n = 0;
  for (const [k, sessionId] of ['session_20251029_090000', 'session_20251029_100000', 'session_20251029_110000'].entries()) {
    let ms = Date.parse('2025-10-29T09:00:00.000Z') + k * 3_600_000;
    const recorder = new Recorder({ sessionId, sink: new FileSink(join(dataDir, 'logs'), { rotateBytes: 8192, checkEveryLines: 1 }), now: () => ms });
    const pending: { decisionId: string; intentId: string; symbol: string }[] = [];
    for (let i = 0; i < 120; i++) {
      ms += 1000;
      const symbol = SYMBOLS[(i + k) % SYMBOLS.length] ?? 'BTC/USDT';
      const decisionId = `dec_20251029_${String(k).padStart(2, '0')}${String(i).padStart(4, '0')}_${(n++).toString(16).padStart(6, '0')}`;
      withDecision(decisionId, () => {
        recorder.emit('DECISION_START', { symbol, bar_ts: new Date(ms - (ms % 60_000)).toISOString(), price: Decimal.parse('100'), strategy: 'ema_cross' });
        const kind = (i * 7 + k) % 6;
        if (kind <= 1) {
          const [guard, observed, threshold] = GUARDS[(i + k) % GUARDS.length] ?? ['cooldown', 0, 1];
          recorder.emit('BUY_BLOCKED', { symbol, guard, observed, threshold, message: `${guard} refused` });
          recorder.emit('DECISION_END', { symbol, outcome: 'blocked', duration_ms: 1, reason: guard });
        } else if (kind === 2) recorder.emit('DECISION_END', { symbol, outcome: 'no_signal', duration_ms: 1, reason: 'no cross' });
        else if (kind === 3 || kind === 4) {
          const intentId = `int_${n.toString(16).padStart(16, '0')}`;
          withIntent(intentId, () => {
            if (kind === 3) recorder.emit('BUY_FILLED', { symbol, qty: Decimal.parse('1'), avg_px: Decimal.parse('100'), fee: Decimal.ZERO, fee_currency: 'USDT', notional: Decimal.parse('100'), partial: false });
          });
          recorder.emit('DECISION_END', { symbol, outcome: kind === 3 ? 'filled' : 'failed', duration_ms: 5, reason: kind === 3 ? 'filled' : 'timeout_exhausted' });
          if (kind === 4 && i % 4 !== 0) pending.push({ decisionId, intentId, symbol });
        } else if (i !== 119) recorder.emit('DECISION_END', { symbol, outcome: 'error', duration_ms: 1, reason: 'boom' });
      });
      // The order watcher finds a given-up order filled some bars later.
      if (i % 9 === 0) {
        for (const p of pending.splice(0)) {
          withDecision(p.decisionId, () => withIntent(p.intentId, () => recorder.emit('BUY_FILLED', { symbol: p.symbol, qty: Decimal.parse('1'), avg_px: Decimal.parse('101'), fee: Decimal.ZERO, fee_currency: 'USDT', notional: Decimal.parse('101'), partial: false })));
        }
      }
    }
    recorder.close();
  }
}

/** The report with each example line named by file and offset: what the views print from. */
function plain(r: WhyReport): unknown {
  const at = (e: LocatedEvent | undefined) => (e ? `${e.file.path}:${e.offset}:${e.text}` : null);
  return {
    decisions: r.decisions,
    outcomes: [...r.outcomes],
    filledLate: r.filledLate,
    guards: r.guards.map((g) => ({ ...g, latest: at(g.latest) })),
    latest: [...r.latestByOutcome].map(([o, e]) => [o, at(e)]).sort(),
    last: at(r.lastDecision),
    symbols: [...r.symbols].sort(),
    sessions: [...r.sessions].sort(),
  };
}

async function why(dataDir: string, filter: { window: TimeWindow; symbol?: string; session?: string }, cache: boolean) {
  const skipped = new SkippedLines();
  const stats = newStats();
  const report = await explainNoBuys(openLogSet(dataDir), filter, skipped, stats, { cache });
  return { report: plain(report), skipped: await skipped.report(), bytes: stats.bytes };
}

/** Filters whose windows start, end or both inside rotated files, and whole ones. */
function filters(dataDir: string): { window: TimeWindow; symbol?: string; session?: string }[] {
  const rotated = listLogFiles(join(dataDir, 'logs'), ['decisions']).filter((f) => !f.current);
  const tsAt = (i: number) => {
    const lines = readFileSync(rotated[i]?.path ?? '', 'utf8').split('\n').filter(Boolean);
    return (JSON.parse(lines[Math.floor(lines.length / 2)] ?? '{}') as { ts: string }).ts;
  };
  const [a, b] = [tsAt(2), tsAt(rotated.length - 3)];
  return [
    { window: {} },
    { window: { since: a } },
    { window: { until: b } },
    { window: { since: a, until: b } },
    { window: { since: a }, symbol: 'ETH/USDT' },
    { window: {}, session: 'session_20251029_100000' },
    { window: { until: b }, session: 'session_20251029_110000', symbol: 'SOL/USDT' },
  ];
}

describe('why: per-file summaries of rotated decisions files', () => {
  it('answers exactly as a full scan, building the cache once and then reading no rotated file', async () => {
    const dir = tempDir('tt-why-cache-');
    writeLogs(dir);
    const rotated = listLogFiles(join(dir, 'logs'), ['decisions']).filter((f) => !f.current);
    expect(rotated.length).toBeGreaterThan(8);
    for (const filter of filters(dir)) {
      const scanned = await why(dir, filter, false);
      const first = await why(dir, filter, true);
      const second = await why(dir, filter, true);
      expect(first.report, JSON.stringify(filter)).toEqual(scanned.report);
      expect(second.report, JSON.stringify(filter)).toEqual(scanned.report);
      expect(second.skipped).toBe('');
    }
    expect(readdirSync(cacheDir(dir)).filter((n) => n.endsWith('.json'))).toHaveLength(rotated.length);
    // The summaries answer the whole-log query: of the decisions files, only the live one is read.
    const live = listLogFiles(join(dir, 'logs'), ['decisions']).filter((f) => f.current);
    const again = await why(dir, { window: {} }, true);
    expect(again.bytes).toBe(live.reduce((sum, f) => sum + readFileSync(f.path).length, 0));
    const late = (again.report as { filledLate: number }).filledLate;
    expect(late).toBeGreaterThan(5);
  });

  it('never trusts a damaged, foreign or stale cache file, nor serves a replaced log file', async () => {
    const dir = tempDir('tt-why-cache-bad-');
    writeLogs(dir);
    await why(dir, { window: {} }, true);
    const names = readdirSync(cacheDir(dir)).filter((n) => n.endsWith('.json')).sort();
    const [n0, n1, n2] = names.map((n) => join(cacheDir(dir), n));
    if (!n0 || !n1 || !n2) throw new Error('expected cache files');
    // A count changed in the body (the digest no longer matches), a file cut short, another file's summary.
    writeFileSync(n0, readFileSync(n0, 'utf8').replace(/"starts":(\d+)/, (_m, d: string) => `"starts":${Number(d) + 5}`));
    writeFileSync(n1, readFileSync(n1, 'utf8').slice(0, 300));
    writeFileSync(n2, readFileSync(n0, 'utf8'));
    const scanned = await why(dir, { window: {} }, false);
    expect((await why(dir, { window: {} }, true)).report).toEqual(scanned.report);
    // Each was rebuilt: the next query reads no rotated file again.
    expect((await why(dir, { window: {} }, true)).report).toEqual(scanned.report);
    // A rotated file replaced by one with other lines under the same name: its summary is not served.
    const rotated = listLogFiles(join(dir, 'logs'), ['decisions']).filter((f) => !f.current);
    const [r0, r1] = [rotated[0]?.path ?? '', rotated[1]?.path ?? ''];
    const swapped = readFileSync(r1);
    writeFileSync(`${r0}.new`, swapped);
    renameSync(`${r0}.new`, r0);
    // And one rewritten in place, same inode and size: one digit changed in the middle.
    const r2 = rotated[2]?.path ?? '';
    const text = readFileSync(r2, 'utf8');
    const at = text.indexOf('"outcome":"no_signal"', text.length / 2);
    writeFileSync(r2, `${text.slice(0, at)}"outcome":"no_signaX"${text.slice(at + 21)}`);
    const after = await why(dir, { window: {} }, false);
    expect(after.report).not.toEqual(scanned.report);
    const cached = await why(dir, { window: {} }, true);
    expect(cached.report).toEqual(after.report);
    expect(cached.skipped).toBe(after.skipped);
    expect(cached.skipped).toMatch(/^skipped 1 unreadable line in .*decisions\.\d/);
  });

  it('keeps reporting the unreadable lines of a rotated file: such a file is scanned, never summarized', async () => {
    const dir = tempDir('tt-why-cache-torn-');
    writeLogs(dir);
    const rotated = listLogFiles(join(dir, 'logs'), ['decisions']).filter((f) => !f.current);
    appendFileSync(rotated[3]?.path ?? '', 'not a log line\n');
    const scanned = await why(dir, { window: {} }, false);
    expect(scanned.skipped).toMatch(/^skipped 1 unreadable line/);
    for (let run = 0; run < 2; run++) {
      const cached = await why(dir, { window: {} }, true);
      expect(cached).toMatchObject({ report: scanned.report, skipped: scanned.skipped });
    }
    expect(readdirSync(cacheDir(dir)).filter((n) => n.endsWith('.json'))).toHaveLength(rotated.length - 1);
  });

  it('concurrent queries building the same cache agree with a scan, and leave whole summaries', async () => {
    const dir = tempDir('tt-why-cache-race-');
    writeLogs(dir);
    const scanned = await why(dir, { window: {} }, false);
    const runs = await Promise.all([1, 2, 3, 4].map(() => why(dir, { window: {} }, true)));
    for (const r of runs) expect(r.report).toEqual(scanned.report);
    expect(readdirSync(cacheDir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await why(dir, { window: {} }, true)).report).toEqual(scanned.report);
  });
});
