import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { readLogs, type ReadBack } from '../recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../recorder/events/catalog.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperSession, type PaperRunResult } from './paper-session.js';
import { formatPaperSummary, paperSummary, type PaperSummary } from './session-summary.js';

const available = sharedDataAvailable();

const f = (line: AnyEventLine | undefined, name: string): unknown => (line as unknown as Record<string, unknown> | undefined)?.[name];

/**
 * The first 60 real BTC-PERP minutes (the bot buys 0.001 BTC near 46,500 USD in them), then the
 * price collapses to 4,000: the position is worth 3.992 USD at the sell's limit, below the 5 USD
 * minimum order value. Then, minute by minute:
 * - 20 bars at 4000: blocked (one EXIT_BLOCKED);
 * - 1 bar at 5010 with no volume: the sell (limit 5000, exactly 5 USD) is sent but cannot fill, so
 *   the blocked spell is over;
 * - 20 bars at 4000: blocked again (a second EXIT_BLOCKED), then 5 bars at 5009 (limit 4999:
 *   4.999 USD, still held, no new line);
 * - bars at 5010: the stop loss sells.
 */
const SCRIPT: readonly (readonly [price: string, volume: string, bars: number])[] = [
  ['4000.0', '1000.0', 20], ['5010.0', '0.0', 1], ['4000.0', '1000.0', 20], ['5009.0', '1000.0', 5], ['5010.0', '1000.0', 4],
];

function crashCsv(dir: string): { path: string; barTs: string[] } {
  const real = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 61);
  const last = Date.parse(`${(real[60] ?? '').split(',')[0]?.replace(' ', 'T').slice(0, 23)}Z`);
  const rows = [...real];
  const barTs: string[] = [];
  let minute = 0;
  for (const [price, volume, bars] of SCRIPT) {
    for (let i = 0; i < bars; i++) {
      const at = new Date(last + ++minute * 60_000).toISOString();
      barTs.push(at);
      rows.push(`${at.slice(0, 10)} ${at.slice(11, 19)}.000000,${price},${price},${price},${price},${volume}`);
    }
  }
  const path = join(dir, 'BTCUSD-crash.csv');
  writeFileSync(path, `${rows.join('\n')}\n`);
  return { path, barTs };
}

describe.skipIf(!available)('a position worth less than the minimum order value (real BTC-PERP candles, then a crash to 4000)', () => {
  let logs: ReadBack;
  let result: PaperRunResult;
  let summary: PaperSummary;
  let barTs: string[];
  /** The lines of the one position's decision, in write order. */
  let position: AnyEventLine[];

  beforeAll(async () => {
    const dir = tempDir('tradetrace-exit-blocked-');
    const csv = crashCsv(dir);
    barTs = csv.barTs;
    const dataDir = join(dir, 'data');
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const recorder = new Recorder({ sessionId: 'session_20220101_000000', sink: new FileSink(logsDir) });
    const session = await PaperSession.open({
      config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [csv.path], symbols: ['BTC/USD'] }, speed: 'max',
      signals: false, watchdog: false,
    });
    result = await session.run();
    summary = paperSummary(session, result, []);
    recorder.close();
    logs = await readLogs(logsDir);
    const buys = logs.lines.filter((l) => l.event_type === 'BUY_FILLED');
    expect(buys).toHaveLength(1);
    position = logs.lines.filter((l) => l.decision_id === buys[0]?.decision_id).sort((a, b) => a.seq - b.seq);
  }, 120_000);

  it('sends no order while the position is below the minimum: no ORDER_FAILED min_notional, one EXIT_BLOCKED per blocked spell', () => {
    expect(result.reason, JSON.stringify(result)).toBe('data_end');
    expect(logs.bad).toEqual([]);
    expect(logs.lines.filter((l) => l.event_type === 'ORDER_FAILED' && f(l, 'reason') === 'min_notional')).toEqual([]);
    const blocked = position.filter((l) => l.event_type === 'EXIT_BLOCKED');
    expect(blocked.map((l) => [f(l, 'rule'), f(l, 'price'), f(l, 'qty'), f(l, 'limit_px'), f(l, 'notional'), f(l, 'min_notional'), f(l, 'refused_by'), l.level])).toEqual([
      ['stop_loss', 4000, 0.001, 3992, 3.992, 5, 'pre_check', 'warn'],
      ['stop_loss', 4000, 0.001, 3992, 3.992, 5, 'pre_check', 'warn'],
    ]);
    expect(String(f(blocked[0], 'message'))).toMatch(/held until its value reaches the minimum 5 USD/);
    // The exit's own chain: blocked, one attempt on the volume-less bar (sellable, so the spell
    // ends), blocked again, and the sale once the price is back.
    const chain = position.filter((l) => ['EXIT_BLOCKED', 'EXIT_TRIGGERED', 'ORDER_FAILED', 'SELL_FILLED'].includes(l.event_type) && (l.event_type !== 'ORDER_FAILED' || f(l, 'side') === 'sell'));
    expect(chain.map((l) => l.event_type === 'ORDER_FAILED' ? `ORDER_FAILED ${String(f(l, 'reason'))}` : l.event_type)).toEqual([
      'EXIT_BLOCKED', 'EXIT_TRIGGERED', 'ORDER_FAILED no_liquidity', 'EXIT_BLOCKED', 'EXIT_TRIGGERED', 'SELL_FILLED',
    ]);
    expect(logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && f(l, 'side') === 'sell').map((l) => f(l, 'notional'))).toEqual([5, 5]);
  });

  it('keeps the position open, counted by the buy guards, until the price is back above the minimum; then the stop loss sells it', () => {
    const decisionsAt = (ts: string) => logs.lines.filter((l) => l.event_type === 'DECISION_START' && f(l, 'bar_ts') === ts);
    // Every bar of the crash and of the near miss at 5009 is refused a buy because the position is
    // held. While no exit could sell it (at 4000, and at 5009 whose limit makes 4.999 USD) it does
    // not take the one position slot (max_open_positions) but still blocks a second buy of its own
    // symbol; on the bar at 5010 a sell was possible, so it counted.
    const prices = SCRIPT.flatMap(([price, , bars]) => Array.from({ length: bars }, () => price));
    barTs.slice(0, 46).forEach((ts, i) => {
      const id = decisionsAt(ts)[0]?.decision_id;
      const guard = logs.lines.find((l) => l.event_type === 'BUY_BLOCKED' && l.decision_id === id);
      expect([ts, f(guard, 'guard')]).toEqual([ts, prices[i] === '5010.0' ? 'max_open_positions' : 'already_in_position']);
    });
    // `why` answers from that line: it says the position cannot be sold, and until when it stays.
    const crashId = decisionsAt(barTs[0] ?? '')[0]?.decision_id;
    const crashBlock = logs.lines.find((l) => l.event_type === 'BUY_BLOCKED' && l.decision_id === crashId);
    expect(String(f(crashBlock, 'message'))).toMatch(
      /^a position in BTC\/USD is already open: 0\.001 BTC \(dec_\w+\) that no exit can sell \(.*below.*\); it stays, and blocks buying BTC\/USD, until its value reaches the minimum 5 USD or it is sold by hand$/,
    );
    const sold = position.find((l) => l.event_type === 'SELL_FILLED');
    expect([f(sold, 'rule'), f(sold, 'qty')]).toEqual(['stop_loss', 0.001]);
    // Sold on the first bar back at 5010 with volume (after the 5009 bars): exits run before that bar's buy decision.
    const soldBar = logs.lines.find((l) => l.event_type === 'DECISION_START' && l.seq > (sold?.seq ?? 0));
    expect(f(soldBar, 'bar_ts')).toBe(barTs[46]);
    expect(Number(f(sold, 'avg_px')) * 0.001).toBeGreaterThanOrEqual(5);
  });

  it('counts the blocked spells in the session summary, with no failure for them', () => {
    const refusedBy = logs.lines.filter((l) => l.event_type === 'EXIT_BLOCKED').map((l) => String(f(l, 'refused_by')));
    const byRefusal = Object.fromEntries([...new Set(refusedBy)].map((r) => [r, refusedBy.filter((x) => x === r).length]));
    expect(summary.record).toMatchObject({ exits_blocked: 2, exits_blocked_by: byRefusal, sells_filled: 1, failures: { no_liquidity: 1 }, open_positions: [] });
    expect(formatPaperSummary('session_20220103_100000', summary, '/data')).toContain(
      `  exit blocked 2 times an exit rule fired and the position was held (EXIT_BLOCKED): ${Object.entries(byRefusal).map(([r, n]) => `${r} ${n}: ${r === 'pre_check' ? 'worth less than the minimum order value, no sell sent' : r}`).join('; ')}\n`,
    );
    expect(summary.record['failures']).not.toHaveProperty('min_notional');
  });
});
