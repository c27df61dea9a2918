import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { listLogFiles } from '../../recorder/log-files.js';

const QUERIES = [['why', '--json'], ['orders', '--json'], ['sessions', '--json'], ['health', '--json']] as const;

async function answers(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const query of QUERIES) {
    const result = await runQuery([...query, '--data-dir', dataDir]);
    expect(result.code, `${query.join(' ')}: ${result.stderr}`).toBe(0);
    out.push(result.stdout);
  }
  return out;
}

async function paper(dataDir: string, compress: boolean): Promise<void> {
  const run = await runCli(
    ['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '3s', '--data-dir', dataDir,
      '--set', 'recorder.rotate_mb=1', '--set', `recorder.compress_rotated=${String(compress)}`, '--set', 'recorder.compress_after=1s'],
    { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 90_000 },
  );
  expect(run.code, run.stderr).toBe(0);
}

const rotatedPlain = (logs: string): string[] => readdirSync(logs).filter((n) => /^[a-z]+\.\d{8}T\d{9}Z(_\d+)?\.jsonl$/.test(n));
const gzipped = (logs: string): string[] => readdirSync(logs).filter((n) => n.endsWith('.jsonl.gz'));

describe('a paper run rotating every MiB gzips its rotated logs, and every query answers as before', () => {
  it('leaves rotated files as .gz (none half-done), with no compression failure logged', async () => {
    const dataDir = join(tempDir('tt-paper-gzip-'), 'data');
    await paper(dataDir, true);
    const logs = join(dataDir, 'logs');
    expect(gzipped(logs).length).toBeGreaterThan(3);
    expect(readdirSync(logs).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const everything = listLogFiles(logs).map((f) => (f.gzipped ? gunzipSync(readFileSync(f.path)) : readFileSync(f.path)).toString('utf8')).join('');
    expect(everything).toContain('"event_type":"SESSION_START"');
    expect(everything).not.toContain('could not gzip');
  }, 120_000);

  it('why, orders, sessions and health answer the same once the rotated files became .gz (their index included)', async () => {
    const dataDir = join(tempDir('tt-paper-gzip-'), 'data');
    await paper(dataDir, false);
    const logs = join(dataDir, 'logs');
    const plainFiles = rotatedPlain(logs);
    expect(plainFiles.length).toBeGreaterThan(3);
    expect(gzipped(logs)).toEqual([]);
    // Indexed while plain...
    const before = await answers(dataDir);
    // ...then compressed, as the bot's next start does with rotated files left plain.
    const failures: unknown[] = [];
    const sink = new FileSink(logs, { compressRotated: { graceMs: 0, onFailure: (path, error) => failures.push([path, String(error)]) } });
    await sink.compression?.idle();
    sink.close();
    expect(failures).toEqual([]);
    expect(rotatedPlain(logs)).toEqual([]);
    expect(gzipped(logs).sort()).toEqual(plainFiles.map((n) => `${n}.gz`).sort());
    expect(plainFiles.some((n) => existsSync(join(logs, n)))).toBe(false);
    const after = await answers(dataDir);
    expect(after).toEqual(before);
    const why = JSON.parse(after[0] ?? '{}') as { decisions?: number };
    expect(why.decisions).toBeGreaterThan(100);
  }, 120_000);
});
