import * as fs from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeNoTrades } from '../investigate/testing/incidents.js';

// The bot gzips each rotated log file a minute after rotating it: <name>.jsonl.gz.tmp, renamed to
// .gz, then the plain file removed. A query that listed the plain file and opens it after that
// removal met ENOENT and stopped with exit 3, "cannot read ...", though nothing was wrong.
const gzipOnOpen = new Set<string>();
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    const name = String(path);
    if (gzipOnOpen.delete(name)) {
      real.writeFileSync(`${name}.gz`, gzipSync(real.readFileSync(name)));
      real.unlinkSync(name);
    }
    return (real.openSync as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof real.openSync;
  return { ...real, openSync, default: { ...real, openSync } };
});

describe('a query while the bot gzips a rotated log file under it', () => {
  it('answers as if the file had been gzipped before it began (asked again), instead of exit 3', async () => {
    const dir = tempDir('tt-gave-way-');
    writeNoTrades(dir);
    const before = await runQuery(['why', '--data-dir', dir]);
    expect(before.code).toBe(0);
    // Rotate the decisions file by hand, as the bot does: the query then reads a rotated plain file.
    const logs = join(dir, 'logs');
    const rotated = join(logs, 'decisions.20251026T100600000Z.jsonl');
    fs.renameSync(join(logs, 'decisions.jsonl'), rotated);
    gzipOnOpen.add(rotated);
    const during = await runQuery(['why', '--data-dir', dir]);
    expect(gzipOnOpen.has(rotated)).toBe(false);
    expect(fs.existsSync(rotated)).toBe(false);
    expect(fs.existsSync(`${rotated}.gz`)).toBe(true);
    expect([during.code, during.stderr]).toEqual([0, '']);
    expect(during.stdout).toBe(before.stdout);
  });
});
