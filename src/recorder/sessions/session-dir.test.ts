import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CANDLES = resolve(ROOT, '../shared/data/btc-perp-20211231-20220201_1m.csv');
// A directory that exists and answers ENOENT to any mkdir inside it (procfs): Node's recursive mkdirSync looped there.
const procSelf = process.platform === 'linux' && existsSync('/proc/self/status');

describe('a paper session on --data-dir /proc/self', () => {
  it.skipIf(!procSelf)('is refused within seconds with the path named, not a process spinning until SIGKILL', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/entry.ts'), 'paper', '--data', CANDLES, '--set', 'trading.quote_currency=USD', '--speed', 'max', '--duration', '2s', '--data-dir', '/proc/self'],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' },
    );
    expect(child.signal, 'killed at the deadline: the bot spun in mkdir').toBeNull();
    expect(child.status, child.stderr).toBe(1);
    expect(child.stderr).toContain('cannot create sessions directory /proc/self/sessions: cannot make /proc/self/sessions: /proc/self is a directory that takes no new entries');
    expect(child.stderr).toContain('Refusing to start');
  }, 40_000);
});
