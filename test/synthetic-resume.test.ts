import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CURSOR_FILE, ReplayCursor } from '../src/engine/replay-cursor.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

const BAR_MS = 60_000;

const readCursor = (dataDir: string): number => (JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as { symbols: Record<string, number> }).symbols['BTC/USDT'] ?? Number.NaN;

function decisionStarts(dataDir: string, sessionId: string): { bar_ts?: string; price?: number }[] {
  return readFileSync(join(dataDir, 'logs', 'decisions.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { event_type: string; session_id: string; bar_ts?: string; price?: number })
    .filter((l) => l.event_type === 'DECISION_START' && l.session_id === sessionId);
}

/** Open times (ms) of the bars each DECISION_START of `sessionId` decided on, in file order. */
function decidedBars(dataDir: string, sessionId: string): number[] {
  return decisionStarts(dataDir, sessionId).map((l) => Date.parse(l.bar_ts ?? ''));
}

/** Is `part` found, in order and contiguous, inside `whole`? */
function containsRun(whole: readonly number[], part: readonly number[]): boolean {
  for (let i = 0; i + part.length <= whole.length; i++) if (part.every((v, j) => whole[i + j] === v)) return true;
  return false;
}

async function session(dataDir: string): Promise<string> {
  // 3000x: a bar every 20 ms, so a few seconds run the market far ahead of the wall clock.
  const result = await runCli(['paper', '--synthetic', 'BTC/USDT', '--speed', '3000', '--duration', '5s', '--data-dir', dataDir], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 150_000 });
  expect(result.code, result.stderr).toBe(0);
  const id = /paper session (session_\S+) ended/.exec(result.stdout)?.[1];
  expect(id, result.stdout).toBeDefined();
  return id ?? '';
}

describe('a synthetic session on the data directory of an earlier, faster-than-real-time one', () => {
  it('continues its timeline: trades right after warm-up, decides no bar twice, and the cursor only moves forward', async () => {
    const dataDir = join(tempDir('tradetrace-synthetic-resume-'), 'data');
    const first = await session(dataDir);
    const firstBars = decidedBars(dataDir, first);
    expect(firstBars.length).toBeGreaterThan(10);
    const firstLast = Math.max(...firstBars);
    const cursorAfterFirst = readCursor(dataDir);
    // The first session ran ahead of the wall clock (this is what made a second one only warm up).
    expect(cursorAfterFirst).toBeGreaterThan(Date.now() + 10 * BAR_MS);
    expect(cursorAfterFirst).toBeGreaterThanOrEqual(firstLast + BAR_MS);

    // The cursor keeps the price of the last decided bar: the next session's market starts there.
    const firstPrices = decisionStarts(dataDir, first).map((l) => l.price ?? Number.NaN);
    const stored = JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as { prices: Record<string, string> };
    expect(Number(stored.prices['BTC/USDT'])).toBe(firstPrices.at(-1));

    const second = await session(dataDir);
    // Its own moves: restarts used to replay the first session's path bar for bar from bar 20 on.
    const secondPrices = decisionStarts(dataDir, second).map((l) => l.price ?? Number.NaN);
    expect(containsRun(firstPrices, secondPrices.slice(0, 20))).toBe(false);
    const secondBars = decidedBars(dataDir, second);
    // Beyond warm-up: about as many decisions as the first session made, not none.
    expect(secondBars.length).toBeGreaterThan(firstBars.length / 2);
    expect(Math.min(...secondBars)).toBeGreaterThan(firstLast);
    // The first bar decided is the one right after the cursor: the timeline continues without a hole.
    expect(Math.min(...secondBars)).toBe(cursorAfterFirst);
    const all = [...firstBars, ...secondBars];
    expect(new Set(all).size).toBe(all.length);
    const cursorAfterSecond = readCursor(dataDir);
    expect(cursorAfterSecond).toBeGreaterThan(cursorAfterFirst);
    expect(cursorAfterSecond).toBe(Math.max(...secondBars) + BAR_MS);
  }, 360_000);
});

describe('ReplayCursor', () => {
  const BTC = 'BTC/USDT';
  const ETH = 'ETH/USDT';
  const stored = Date.parse('2030-01-01T00:10:00.000Z');

  it('never writes a bar close earlier than the stored one, read first or not, symbol by symbol', () => {
    const dataDir = tempDir('tradetrace-cursor-');
    const path = join(dataDir, CURSOR_FILE);
    writeFileSync(path, `${JSON.stringify({ last_bar_close: stored, session_id: 'session_20300101_000000', symbols: { [BTC]: stored, [ETH]: stored - BAR_MS } })}\n`);
    const before = readFileSync(path, 'utf8');

    const unread = new ReplayCursor(dataDir, 'session_20300101_000001', [BTC, ETH], 0);
    unread.advance(BTC, stored - 5 * BAR_MS);
    unread.save();
    expect(readFileSync(path, 'utf8')).toBe(before);

    const read = new ReplayCursor(dataDir, 'session_20300101_000002', [BTC, ETH], 0);
    expect(read.read()).toBe(stored);
    expect([read.closeOf(BTC), read.closeOf(ETH), read.closeOf('SOL/USDT')]).toEqual([stored, stored - BAR_MS, undefined]);
    read.advance(BTC, stored - BAR_MS);
    expect(readFileSync(path, 'utf8')).toBe(before);
    // ETH moves on by one bar; BTC keeps its stored close, not the lower one this session saw.
    read.advance(ETH, stored);
    const next = new ReplayCursor(dataDir, 'session_20300101_000003', [BTC, ETH]);
    expect(next.read()).toBe(stored);
    expect([next.closeOf(BTC), next.closeOf(ETH)]).toEqual([stored, stored]);
    expect(next.storedSession(), 'the session that moved it').toBe('session_20300101_000002');
  });

  it('keeps symbols another session traded, and reads a single-time cursor of an older version as every symbol\'s', () => {
    const dataDir = tempDir('tradetrace-cursor-');
    const path = join(dataDir, CURSOR_FILE);
    writeFileSync(path, `${JSON.stringify({ last_bar_close: stored })}\n`);
    const old = new ReplayCursor(dataDir, 'session_20300101_000001', [BTC], 0);
    old.read();
    expect(old.closeOf(BTC)).toBe(stored);
    expect(old.storedSession(), 'a cursor written before sessions were named in it').toBeUndefined();
    old.advance(BTC, stored + BAR_MS);

    const other = new ReplayCursor(dataDir, 'session_20300101_000002', [ETH], 0);
    other.read();
    expect(other.closeOf(ETH), 'the per-symbol file has no time for ETH').toBeUndefined();
    other.advance(ETH, stored + 3 * BAR_MS);
    const written = JSON.parse(readFileSync(path, 'utf8')) as { last_bar_close: number; symbols: Record<string, number> };
    expect(written.symbols).toEqual({ [BTC]: stored + BAR_MS, [ETH]: stored + 3 * BAR_MS });
    expect(written.last_bar_close).toBe(stored + 3 * BAR_MS);
  });

  it('is claimed at open even before anything was decided, naming the session and what it trades', () => {
    const dataDir = tempDir('tradetrace-cursor-');
    // The first session on a directory: killed within its first second, the next one must still
    // know whose decision log to read.
    new ReplayCursor(dataDir, 'session_20300101_000000', [ETH, BTC]).claim();
    const next = new ReplayCursor(dataDir, 'session_20300101_000001', [BTC]);
    expect(next.read()).toBeUndefined();
    expect(next.storedSession()).toBe('session_20300101_000000');
    expect(next.storedTradedSymbols()).toEqual([BTC, ETH]);
    expect(next.knownSymbols()).toEqual([]);
  });

  it('names the file when it is not a cursor', () => {
    const dataDir = tempDir('tradetrace-cursor-');
    const path = join(dataDir, CURSOR_FILE);
    const expected = `${path}: expected {"session_id": "<session>", "traded": ["<symbol>", ...], "symbols": {"<symbol>": <ms UTC>, ...}, "prices": {"<symbol>": "<positive decimal>", ...}, "decided_by": {"<symbol>": "<session>", ...}} (or an older {"last_bar_close": <ms UTC>}), got`;
    writeFileSync(path, 'not json');
    expect(() => new ReplayCursor(dataDir, 'session_20300101_000000', [BTC]).read()).toThrow(`${expected} not json`);
    writeFileSync(path, '{"last_bar_close": 1, "symbols": {"BTC/USDT": "soon"}}');
    expect(() => new ReplayCursor(dataDir, 'session_20300101_000000', [BTC]).read()).toThrow(expected);
    writeFileSync(path, '{"last_bar_close": 1, "symbols": {"BTC/USDT": 1}, "prices": {"BTC/USDT": 40000}}');
    expect(() => new ReplayCursor(dataDir, 'session_20300101_000000', [BTC]).read()).toThrow(expected);
    // A market cannot start at 0: refused here, naming the file, not later by the feed.
    writeFileSync(path, '{"last_bar_close": 1, "symbols": {"BTC/USDT": 1}, "prices": {"BTC/USDT": "0.000"}}');
    expect(() => new ReplayCursor(dataDir, 'session_20300101_000000', [BTC]).read()).toThrow(expected);
  });
});
