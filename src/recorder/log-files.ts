import { readdirSync, statSync } from 'node:fs';
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
// What logrotate makes of decisions.jsonl: decisions.jsonl.1, decisions.jsonl.2.gz (numbered, higher is
// older) or decisions.jsonl-20261128(.gz) (dateext). An operator who rotates with it must not have
// every query silently leave those lines out.
const LOGROTATE_FILE = /^([a-z]+)\.jsonl(?:\.(\d{1,6})|-(\d{8,14}))(\.gz)?$/;

/**
 * A logrotate file's place among ours: its last write (mtime, which rename and gzip keep) in the
 * form of our rotation stamps, since each rotated file holds the lines written before it was
 * rotated; then its number (a higher one is older) or date, should two share a millisecond.
 */
function logrotateStamp(path: string, number: string | undefined, date: string | undefined): string | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  const written = new Date(stat.mtimeMs).toISOString().replace(/[-:.]/g, '');
  return `${written}_${number === undefined ? (date ?? '') : String(999_999 - Number(number)).padStart(6, '0')}`;
}

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
    if (m && wanted.has(m[1] ?? '')) {
      const stamp = m[2] ?? '';
      found.push({ channel: m[1] as Channel, path: join(logsDir, name), gzipped: m[3] !== undefined, current: stamp === '' && m[3] === undefined, stamp });
      continue;
    }
    const rotated = LOGROTATE_FILE.exec(name);
    if (!rotated || !wanted.has(rotated[1] ?? '')) continue;
    const path = join(logsDir, name);
    // Gone since the listing (rotated on meanwhile): found under its next name by the next listing.
    const stamp = logrotateStamp(path, rotated[2], rotated[3]);
    if (stamp !== undefined) found.push({ channel: rotated[1] as Channel, path, gzipped: rotated[4] !== undefined, current: false, stamp });
  }
  // gzip (and logrotate's compress) writes X.gz before it deletes X: while both exist they are one
  // file's lines twice. The plain one is read, the copy left out.
  const plain = new Set(found.filter((f) => !f.gzipped).map((f) => f.path));
  const distinct = found.filter((f) => !f.gzipped || !plain.has(f.path.slice(0, -'.gz'.length)));
  // The current file (no stamp) holds the newest lines, so it sorts after every rotated one.
  distinct.sort((a, b) =>
    a.channel !== b.channel
      ? CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel)
      : ordinal(a.stamp || '~', b.stamp || '~'),
  );
  return distinct.map(({ stamp: _stamp, ...file }) => file);
}
