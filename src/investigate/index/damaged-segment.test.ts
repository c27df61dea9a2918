import { readdirSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openLogSet } from '../query/log-set.js';
import { SkippedLines } from '../query/skipped-lines.js';
import { traceDecision } from '../query/trace-query.js';
import { BASE_CONFIG, writeOrderFailures } from '../testing/incidents.js';
import { SessionWriter } from '../testing/session-writer.js';
import { LogIndex } from './log-index.js';

async function trace(dir: string, id: string, useIndex: boolean): Promise<string[]> {
  const outcome = await traceDecision(openLogSet(dir), id, { skipped: new SkippedLines(), useIndex });
  return outcome.kind === 'found' ? outcome.events.map((e) => e.text) : [outcome.kind];
}

/** The index segment files of one log file (named by its device and inode). */
function segmentsOf(dir: string, logPath: string): string[] {
  const st = statSync(logPath);
  return readdirSync(join(dir, 'index'))
    .filter((n) => n.startsWith(`${st.dev}-${st.ino}.`) && n.endsWith('.seg'))
    .map((n) => join(dir, 'index', n));
}

/** A data dir whose decisions were rotated (renamed) and continued by a later session; the index built. */
async function rotatedIncident() {
  const dir = tempDir('tt-idx-damaged-');
  const facts = writeOrderFailures(dir);
  const rotated = join(dir, 'logs', 'decisions.20251026T160000000Z.jsonl');
  renameSync(join(dir, 'logs', 'decisions.jsonl'), rotated);
  const later = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_170000', start: new Date('2025-10-26T17:00:00Z'), config: BASE_CONFIG });
  const fresh = later.noSignal('ETH/USDT', '2500');
  later.end();
  expect(await LogIndex.prepare(openLogSet(dir))).not.toBeNull();
  const segment = segmentsOf(dir, rotated)[0];
  if (!segment) throw new Error('the rotated file has no index segment');
  return { dir, facts, rotated, segment, ids: [facts.filled.decisionId, facts.minNotional.decisionId, facts.exhausted.decisionId, fresh] };
}

/** Every id traced through the index answers what --no-index answers, and the damage is noted once on stderr. */
async function expectSameAsScan(dir: string, ids: string[], damagedLog: string): Promise<void> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const byIndex: string[][] = [];
  for (const id of ids) byIndex.push(await trace(dir, id, true));
  const notes = stderr.mock.calls.map((c) => String(c[0]));
  stderr.mockRestore();
  for (const [i, id] of ids.entries()) {
    expect(byIndex[i], id).toEqual(await trace(dir, id, false));
    expect(byIndex[i]?.length, id).toBeGreaterThan(1);
  }
  expect(notes).toEqual([`tradetrace: the index segment for ${damagedLog} was damaged and rebuilt\n`]);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a damaged index segment is a cache miss, not a failure', () => {
  it('(a) an empty segment, or one cut inside its header, is rebuilt', async () => {
    const empty = await rotatedIncident();
    writeFileSync(empty.segment, '');
    await expectSameAsScan(empty.dir, empty.ids, empty.rotated);

    const cut = await rotatedIncident();
    truncateSync(cut.segment, 10);
    await expectSameAsScan(cut.dir, cut.ids, cut.rotated);
  });

  it('(b) a missing segment is rebuilt', async () => {
    const { dir, ids, rotated, segment } = await rotatedIncident();
    unlinkSync(segment);
    await expectSameAsScan(dir, ids, rotated);
  });

  it('(c) a segment cut to half its size does not hide the lines it lost', async () => {
    const { dir, ids, rotated, segment } = await rotatedIncident();
    truncateSync(segment, Math.floor(statSync(segment).size / 2));
    await expectSameAsScan(dir, ids, rotated);
  });

  it('a segment whose body was overwritten in place (same size) is answered from the log and rewritten', async () => {
    const { dir, ids, rotated, segment } = await rotatedIncident();
    const text = (await import('node:fs')).readFileSync(segment, 'utf8');
    const nl = text.indexOf('\n');
    writeFileSync(segment, text.slice(0, nl + 1) + 'x'.repeat(Buffer.byteLength(text) - nl - 1));
    await expectSameAsScan(dir, ids, rotated);
    // Rewritten: the next query needs no repair.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    for (const id of ids) await trace(dir, id, true);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('(d) a whole, well-formed segment whose header covers other bytes than it is listed for is rebuilt', async () => {
    const { dir, ids, rotated, segment } = await rotatedIncident();
    const text = (await import('node:fs')).readFileSync(segment, 'utf8');
    const nl = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, nl)) as { to: number };
    writeFileSync(segment, `${JSON.stringify({ ...header, to: header.to + 1000 })}\n${text.slice(nl + 1)}`);
    await expectSameAsScan(dir, ids, rotated);
  });

  it('the CLI: no stack trace, the same answer as --no-index, one note', async () => {
    const { dir, facts, rotated, segment } = await rotatedIncident();
    writeFileSync(segment, '');
    const id = facts.filled.decisionId;
    const scan = await runCli(['trace', id, '--data-dir', dir, '--json', '--no-index']);
    const indexed = await runCli(['trace', id, '--data-dir', dir, '--json']);
    expect(scan.code).toBe(0);
    expect(indexed.code).toBe(0);
    expect(indexed.stdout).toBe(scan.stdout);
    expect(indexed.stderr).toBe(`tradetrace: the index segment for ${rotated} was damaged and rebuilt\n`);
  });
});
