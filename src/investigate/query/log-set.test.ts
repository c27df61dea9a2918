import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openLogSet } from './log-set.js';

const WHOLE = '{"ts":"2025-10-26T10:00:00.000Z","event_type":"HEARTBEAT"}\n';
const HALF = '{"ts":"2025-10-26T10:00:01.000Z","event_ty';

/** A data directory whose current and rotated decisions files both end in half a line. */
function dataDir(): { dir: string; current: string; rotated: string; bare: string } {
  const dir = tempDir('tt-log-set-');
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const current = join(logs, 'decisions.jsonl');
  const rotated = join(logs, 'decisions.20251026T090000000Z.jsonl');
  const bare = join(logs, 'orders.jsonl');
  writeFileSync(current, WHOLE + WHOLE + HALF);
  writeFileSync(rotated, WHOLE + HALF);
  // A file whose first line is still being written has no whole line at all.
  writeFileSync(bare, HALF);
  return { dir, current, rotated, bare };
}

describe('openLogSet', () => {
  it('reads every file to its end, torn last line included, by default: a dead bot\'s torn tail is reported', () => {
    const { dir, current, rotated, bare } = dataDir();
    const set = openLogSet(dir);
    expect(set.sizes.get(current)).toBe(2 * WHOLE.length + HALF.length);
    expect(set.sizes.get(rotated)).toBe(WHOLE.length + HALF.length);
    expect(set.sizes.get(bare)).toBe(HALF.length);
  });

  it('for --follow, stops each current file at its last newline and leaves rotated files whole', () => {
    const { dir, current, rotated, bare } = dataDir();
    const set = openLogSet(dir, undefined, { wholeLines: true });
    expect(set.sizes.get(current)).toBe(2 * WHOLE.length);
    expect(set.sizes.get(bare)).toBe(0);
    expect(set.files.map((f) => f.path)).toContain(bare);
    expect(set.sizes.get(rotated)).toBe(WHOLE.length + HALF.length);
  });
});
