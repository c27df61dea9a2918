import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeConfigDrift, writeNoTrades, writeUnexpectedDash } from './testing/incidents.js';

// A well-formed line with a field of the wrong type ("guard":7 where a name belongs) crashed why
// and dash with a stack trace (g.guard.padEnd is not a function), or was printed as an answer (why
// --json's {"guard":7}). Each query now checks every field it reads, in one place (line-fields.ts):
// such a line is skipped and reported as unreadable, file and line, and the answer comes from the rest.

/** Replaces `from` by `to` on the first line of logs/<file> holding `needle`; its 1-based number. */
function damage(dir: string, file: string, needle: string, from: string, to: string): number {
  const path = join(dir, 'logs', file);
  const lines = readFileSync(path, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(needle) && l.includes(from));
  if (at < 0) throw new Error(`no line of ${file} holds ${needle} and ${from}`);
  lines[at] = (lines[at] ?? '').replace(from, to);
  writeFileSync(path, lines.join('\n'));
  return at + 1;
}

describe('why: a BUY_BLOCKED whose guard is not a name', () => {
  for (const bad of ['7', 'null', '{"name":"max_open_positions"}']) {
    it(`"guard":${bad} is an unreadable line, and the other refusals answer`, async () => {
      const dir = tempDir('tt-why-guard-type-');
      writeNoTrades(dir);
      const line = damage(dir, 'decisions.jsonl', '"BUY_BLOCKED"', '"guard":"max_open_positions"', `"guard":${bad}`);
      const r = await runQuery(['why', '--data-dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('blocked by guard');
      expect(r.stdout).toMatch(/max_open_positions +3x {2}3 vs 3/);
      expect(r.stderr).toBe(`skipped 1 unreadable line in decisions.jsonl (line ${line})\n`);
      const json = await runQuery(['why', '--json', '--data-dir', dir]);
      expect(json.code).toBe(0);
      const guards = (JSON.parse(json.stdout) as { guards: { guard: unknown; count: number }[] }).guards;
      expect(guards.every((g) => typeof g.guard === 'string')).toBe(true);
      expect(guards.find((g) => g.guard === 'max_open_positions')?.count).toBe(3);
    });
  }

  it('a DECISION_END with an outcome of another type, and a DECISION_START whose symbol is a number, too', async () => {
    const dir = tempDir('tt-why-outcome-type-');
    writeNoTrades(dir);
    const end = damage(dir, 'decisions.jsonl', '"DECISION_END"', '"outcome":"no_signal"', '"outcome":["no_signal"]');
    const start = damage(dir, 'decisions.jsonl', '"DECISION_START"', '"symbol":"ETH/USDT"', '"symbol":42');
    const r = await runQuery(['why', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`skipped 2 unreadable lines in decisions.jsonl (lines ${Math.min(end, start)}, ${Math.max(end, start)})\n`);
  });
});

describe('dash: a DASH_EVENT whose dashboard_event_type or source is not text', () => {
  for (const bad of ['7', 'null', '{"type":"BUY_FILLED"}']) {
    it(`"dashboard_event_type":${bad} is an unreadable line, and the other notifications answer`, async () => {
      const dir = tempDir('tt-dash-type-');
      writeUnexpectedDash(dir);
      const line = damage(dir, 'dashboard.jsonl', '"DASH_EVENT"', '"dashboard_event_type":"DATA_STALE"', `"dashboard_event_type":${bad}`);
      for (const args of [['dash'], ['dash', 'BUY_FILLED']]) {
        const r = await runQuery([...args, '--data-dir', dir]);
        expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 0, `skipped 1 unreadable line in dashboard.jsonl (line ${line})\n`]);
        expect(r.stdout).toContain('BUY_FILLED from src/ui/replay-panel.ts:57: 1');
        expect(r.stdout).not.toContain('DATA_STALE');
      }
    });
  }

  it('a source that is a number, and --json prints only the readable lines', async () => {
    const dir = tempDir('tt-dash-source-');
    writeUnexpectedDash(dir);
    const line = damage(dir, 'dashboard.jsonl', '"DASH_EVENT"', '"source":"src/ui/replay-panel.ts:57"', '"source":57');
    const r = await runQuery(['dash', '--json', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('"source":57');
    expect(r.stderr).toBe(`skipped 1 unreadable line in dashboard.jsonl (line ${line})\n`);
  });
});

describe('drift and sessions: audit lines with fields of the wrong type', () => {
  it('a CONFIG_DIFF whose changes are not a list: drift computes the change from the snapshots and names the line', async () => {
    const dir = tempDir('tt-drift-type-');
    const facts = writeConfigDrift(dir);
    const line = damage(dir, 'audit.jsonl', '"CONFIG_DIFF"', '"changes":[', '"changes":7,"was":[');
    const r = await runQuery(['drift', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${facts.first} -> ${facts.second} (3 changed paths, computed from the logged snapshots: its CONFIG_DIFF line is unreadable (audit.jsonl:${line}))`);
    expect(r.stderr).toBe(`skipped 1 unreadable line in audit.jsonl (line ${line})\n`);
  });

  it('a SESSION_END whose exit_code is text: sessions leaves the line out, names it, and ends the session from its manifest', async () => {
    const dir = tempDir('tt-sessions-type-');
    const facts = writeConfigDrift(dir);
    const line = damage(dir, 'audit.jsonl', `"session_id":"${facts.first}"`, '"exit_code":0', '"exit_code":"0"');
    const r = await runQuery(['sessions', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`realized PnL: 0 (no SELL_FILLED line: its SESSION_END line is unreadable: audit.jsonl:${line})`);
    expect(r.stderr).toBe(`skipped 1 unreadable line in audit.jsonl (line ${line})\n`);
  });
});
