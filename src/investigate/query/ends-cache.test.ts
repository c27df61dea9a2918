import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import type { LogFile } from '../../recorder/log-files.js';
import { endsCacheDir, loadEnds, storeEnds, type FileEnds } from './ends-cache.js';
import { identify } from './file-cache.js';

const TYPES = ['SESSION_START', 'DECISION_END'];
const ENDS: FileEnds = {
  firstTs: '2025-10-29T09:00:01.000Z',
  lastTs: '2025-10-29T10:00:05.000Z',
  sessions: new Map([
    ['session_20251029_100000', { count: 3, lastTs: '2025-10-29T10:00:05.000Z' }],
    ['session_20251029_090000', { count: 7, lastTs: '2025-10-29T09:59:00.000Z' }],
  ]),
};

function rotatedLog(dataDir: string): { file: LogFile; size: number } {
  const path = join(dataDir, 'decisions.20251029T100000000Z.jsonl');
  const text = '{"ts":"2025-10-29T09:00:01.000Z"}\n'.repeat(200);
  writeFileSync(path, text);
  return { file: { channel: 'decisions', path, gzipped: false, current: false }, size: text.length };
}

describe("sessions' per-file summaries (ends-cache)", () => {
  it('serves a summary only to its own log file, built for the same line types, untouched', () => {
    const dir = tempDir('tt-ends-cache-');
    const { file, size } = rotatedLog(dir);
    const id = identify(file, size);
    if (!id) throw new Error(`${file.path}: expected an identity`);
    expect(loadEnds(dir, id, TYPES)).toBeNull();
    storeEnds(dir, id, file.path, TYPES, ENDS);
    const loaded = loadEnds(dir, id, TYPES);
    expect(loaded).toEqual(ENDS);
    // Sessions in the order stored: the order a scan meets them.
    expect([...(loaded?.sessions.keys() ?? [])]).toEqual(['session_20251029_100000', 'session_20251029_090000']);
    // A scan for other types says nothing of the lines of those: not served.
    expect(loadEnds(dir, id, [...TYPES, 'ORDER_FILLED'])).toBeNull();
    // Another file (or this one grown) under the same name: not served.
    expect(loadEnds(dir, { ...id, size: size + 1 }, TYPES)).toBeNull();
    // A body changed on disk: its digest no longer matches.
    const [name] = readdirSync(endsCacheDir(dir));
    const path = join(endsCacheDir(dir), name ?? '');
    writeFileSync(path, readFileSync(path, 'utf8').replace('[["session_20251029_100000",3,', '[["session_20251029_100000",4,'));
    expect(loadEnds(dir, id, TYPES)).toBeNull();
  });

  it('a file without a DECISION_END is summarized as such, and one that cannot be written is no error', () => {
    const dir = tempDir('tt-ends-cache-empty-');
    const { file, size } = rotatedLog(dir);
    const id = identify(file, size);
    if (!id) throw new Error(`${file.path}: expected an identity`);
    const none: FileEnds = { firstTs: undefined, lastTs: undefined, sessions: new Map() };
    storeEnds(dir, id, file.path, TYPES, none);
    expect(loadEnds(dir, id, TYPES)).toEqual(none);
    const blocked = tempDir('tt-ends-cache-blocked-');
    writeFileSync(join(blocked, 'index'), 'not a directory');
    expect(() => storeEnds(blocked, id, file.path, TYPES, ENDS)).not.toThrow();
    expect(loadEnds(blocked, id, TYPES)).toBeNull();
  });
});
