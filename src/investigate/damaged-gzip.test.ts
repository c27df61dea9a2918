import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// One damaged rotated file (a .gz cut short by a full disk, a directory where a rotated file
// belongs) stopped trace, why and sessions with exit 3, even for lines in intact files. Like an
// unreadable line, it is now skipped and named: the rest, the readable part of a .gz included
// (as zcat and zgrep read it), is the answer, with the exit code that answer has.
describe('a rotated decisions file that cannot be read to its end', () => {
  const dir = tempDir('tt-damaged-gz-');
  const logs = join(dir, 'logs');
  const writer = new SessionWriter({ dataDir: dir, sessionId: 'session_20251030_080000', start: new Date('2025-10-30T08:00:00.000Z'), config: BASE_CONFIG });
  const early = writer.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' }).decisionId;
  for (let i = 0; i < 3000; i++) writer.tick(20_000).noSignal('ETH/USDT', `${2500 + (i % 97)}.${i % 10}`);
  const late = writer.tick(60_000).blocked('BTC/USDT', 'already_in_position', true, false, 'already holds BTC/USDT');
  writer.tick(1000).end('signal', 0);
  // The first 4000 lines go to a rotated .gz, cut at half its size; the rest stay in decisions.jsonl.
  const lines = readFileSync(join(logs, 'decisions.jsonl'), 'utf8').split('\n');
  const rotated = join(logs, 'decisions.20251030T090000000Z.jsonl.gz');
  const gz = gzipSync(Buffer.from(`${lines.slice(0, 4000).join('\n')}\n`));
  writeFileSync(rotated, gz.subarray(0, Math.floor(gz.length / 2)));
  writeFileSync(join(logs, 'decisions.jsonl'), lines.slice(4000).join('\n'));
  const cut = new RegExp(`^could not read ${rotated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} past its first \\d+ lines: gzip data ends early \\(Z_BUF_ERROR\\); skipped the rest of it\\n`);

  it('trace finds a decision in the intact file and one in the readable part of the .gz, by index (built and reused) and by scan', async () => {
    for (const args of [['trace', late], ['trace', early], ['trace', early], ['trace', early, '--no-index'], ['trace', late, '--follow', '--json']]) {
      const follow = args.includes('--follow');
      const r = follow ? await withTimeout(args) : await runQuery([...args, '--data-dir', dir]);
      if (!follow) expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(args[1]);
      expect(r.stderr).toMatch(cut);
    }
  });

  it('why and sessions answer from what could be read, and name the file', async () => {
    const why = await runQuery(['why', '--data-dir', dir]);
    expect([why.code, why.stdout]).toEqual([0, expect.stringContaining('no_signal')]);
    expect(why.stderr).toMatch(cut);
    const sessions = await runQuery(['sessions', '--data-dir', dir]);
    expect([sessions.code, sessions.stdout]).toEqual([0, expect.stringContaining('session_20251030_080000')]);
    expect(sessions.stderr).toMatch(cut);
  });

  it('a directory named like a rotated file is skipped and named, not the end of every query', async () => {
    const other = tempDir('tt-damaged-dir-');
    const w = new SessionWriter({ dataDir: other, sessionId: 'session_20251030_100000', start: new Date('2025-10-30T10:00:00.000Z'), config: BASE_CONFIG });
    const id = w.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' }).decisionId;
    w.tick(1000).end('signal', 0);
    const stray = join(other, 'logs', 'decisions.20251030T090000000Z.jsonl');
    mkdirSync(stray);
    const note = `could not read ${stray}: is a directory, not a log file (EISDIR); skipped the file\n`;
    for (const args of [['trace', id], ['trace', id, '--no-index'], ['why'], ['sessions'], ['orders'], ['health']]) {
      const r = await runQuery([...args, '--data-dir', other]);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 0, note]);
    }
  });

  /** A --follow query, stopped after its first answer (SIGTERM ends the follow as Ctrl-C does). */
  async function withTimeout(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const timer = setTimeout(() => process.emit('SIGTERM'), 1500);
    try {
      return await runQuery([...args, '--data-dir', dir]);
    } finally {
      clearTimeout(timer);
    }
  }
});
