import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNELS, type Channel } from './channels.js';

export interface LogFile {
  readonly channel: Channel;
  readonly path: string;
  readonly gzipped: boolean;
  /** True for the file being appended to; rotated files are immutable. */
  readonly current: boolean;
}

// decisions.jsonl, decisions.20261127T064300123Z.jsonl, decisions.20261127T064300123Z_2.jsonl(.gz)
const LOG_FILE = /^([a-z]+)(?:\.([0-9TZ_]+))?\.jsonl(\.gz)?$/;

// Code-unit order, not localeCompare: ICU collation sorts '~' before digits and ignores '_'.
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every log file of the given channels in `logsDir`, rotated ones included, oldest first per
 * channel. A missing directory is an empty list: readers report "nothing to search", not a crash.
 */
export function listLogFiles(logsDir: string, channels: readonly Channel[] = CHANNELS): LogFile[] {
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const wanted = new Set<string>(channels);
  const found: (LogFile & { stamp: string })[] = [];
  for (const name of names) {
    const m = LOG_FILE.exec(name);
    if (!m || !wanted.has(m[1] ?? '')) continue;
    const stamp = m[2] ?? '';
    found.push({
      channel: m[1] as Channel,
      path: join(logsDir, name),
      gzipped: m[3] !== undefined,
      current: stamp === '' && m[3] === undefined,
      stamp,
    });
  }
  // The current file (no stamp) holds the newest lines, so it sorts after every rotated one.
  found.sort((a, b) =>
    a.channel !== b.channel
      ? CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel)
      : ordinal(a.stamp || '~', b.stamp || '~'),
  );
  return found.map(({ stamp: _stamp, ...file }) => file);
}
