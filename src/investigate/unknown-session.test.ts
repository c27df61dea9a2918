import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// A --session that names no session is a typo to point out (as `why` and `sessions` do), not an
// empty answer; a session that exists but holds nothing of what was asked keeps the usual answer.
describe('orders, trace and dash: a --session that names no session says so, with the known ones', () => {
  const dir = tempDir('tt-unknown-session-');
  const logs = join(dir, 'logs');
  const A = 'session_20251029_080000';
  const B = 'session_20251029_090000';
  const a = new SessionWriter({ dataDir: dir, sessionId: A, start: new Date('2025-10-29T08:00:00.000Z'), config: BASE_CONFIG });
  const bought = a.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  a.tick(1000).end('signal', 0);
  // The restart sells the position A opened, under A's decision_id.
  const b = new SessionWriter({ dataDir: dir, sessionId: B, start: new Date('2025-10-29T09:00:00.000Z'), config: BASE_CONFIG });
  b.exit(bought.decisionId, 'BTC/USDT', '45000', '45500', '0.001', 60);
  const blocked = b.tick(60_000).blocked('ETH/USDT', 'cooldown', 30, 60, 'last exit 30s ago, cooldown 60s');
  b.tick(1000).end('signal', 0);
  const noMatch = (command: string, session: string) => `tradetrace ${command}: no session matches --session ${JSON.stringify(session)} in ${logs}; known: ${B}, ${A}\n`;

  it('orders', async () => {
    for (const json of [[], ['--json']]) {
      const r = await runQuery(['orders', '--session', 'bogus', ...json, '--data-dir', dir]);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '', noMatch('orders', 'bogus')]);
    }
    const known = await runQuery(['orders', '--session', A, '--status', 'failed', '--data-dir', dir]);
    expect([known.code, known.stderr]).toEqual([1, `tradetrace orders: no order intents match (--status failed, --session ${A}) in 5 log files of ${logs}\n`]);
  });

  it('dash', async () => {
    for (const json of [[], ['--json']]) {
      const r = await runQuery(['dash', '--session', 'session_20251029_080001', ...json, '--data-dir', dir]);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '', noMatch('dash', 'session_20251029_080001')]);
    }
    const known = await runQuery(['dash', 'BUY_FILLED', '--session', B, '--data-dir', dir]);
    expect([known.code, known.stderr]).toEqual([1, `tradetrace dash: no dashboard notifications of type BUY_FILLED (--session ${B}) in ${logs}\n`]);
  });

  it('trace: an unknown session; a known one that holds none of the decision; one that holds part of it', async () => {
    const r = await runQuery(['trace', bought.decisionId, '--session', 'bogus', '--data-dir', dir]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', noMatch('trace', 'bogus')]);
    const missing = await runQuery(['trace', 'dec_20251029_0700', '--session', 'bogus', '--data-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^tradetrace trace: no decision matching "dec_20251029_0700": .*\n${noMatch('trace', 'bogus').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    const elsewhere = await runQuery(['trace', blocked, '--session', A, '--data-dir', dir]);
    expect([elsewhere.code, elsewhere.stdout, elsewhere.stderr]).toEqual([1, '', `tradetrace trace: decision ${blocked} has no lines in ${A}; its lines are in ${B}\n`]);
    // The buy's session alone: the exit the restart wrote is left out, and the operator is told so.
    const part = await runQuery(['trace', bought.decisionId, '--session', A, '--data-dir', dir]);
    expect(part.code).toBe(0);
    expect(part.stderr).toBe(`tradetrace trace: --session ${A} leaves out 3 lines of decision ${bought.decisionId} written in ${B} (a restart reconciling its order, or its position's exit); drop --session to see them\n`);
    expect(part.stdout).toContain('FILLED: bought 0.001 BTC/USDT at 45000; the position is still open (no SELL_FILLED)');
    const whole = await runQuery(['trace', bought.decisionId, '--data-dir', dir]);
    expect([whole.code, whole.stderr]).toEqual([0, '']);
    expect(whole.stdout).toContain('position closed by take_profit at 45500');
  });
});

describe('a --session that names none of many sessions', () => {
  it('points at `tradetrace sessions` for the older ones, with the --data-dir that was given, quoted', async () => {
    const dir = join(tempDir('tt-unknown-many-'), 'data dir');
    for (let hour = 1; hour <= 7; hour++) {
      const id = `session_20251029_0${hour}0000`;
      new SessionWriter({ dataDir: dir, sessionId: id, start: new Date(`2025-10-29T0${hour}:00:00.000Z`), config: BASE_CONFIG }).tick(1000).end('signal', 0);
    }
    for (const command of ['orders', 'dash', 'trace', 'health', 'sessions', 'drift', 'why']) {
      const args = command === 'trace' ? ['trace', 'dec_20251029'] : [command];
      const r = await runQuery([...args, '--session', 'bogus', '--data-dir', dir]);
      expect(r.stderr, command).toContain(`, and 2 older (tradetrace sessions --data-dir '${dir}' lists them all)`);
    }
  });
});
