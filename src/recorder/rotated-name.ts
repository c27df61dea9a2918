import { CHANNELS, type Channel } from './channels.js';

/** A file name our rotation made (rotatedName in file-rotation.ts), read back. */
export interface RotatedName {
  readonly channel: Channel;
  /** When the file was rotated (ms UTC), from its stamp: its newest line is at most that old. */
  readonly rotatedAtMs: number;
  /** `.jsonl`, `.jsonl.gz`, or `.jsonl.gz.tmp` (a compression in progress, or one a crash cut short). */
  readonly form: 'plain' | 'gzipped' | 'partial';
}

// `<channel>.<YYYYMMDDTHHMMSSmmmZ>[_n].jsonl[.gz[.tmp]]`; never a current file, nor logrotate's names.
const ROTATED = /^([a-z]+)\.(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z(?:_\d+)?\.jsonl(\.gz)?(\.tmp)?$/;
const CHANNEL_NAMES = new Set<string>(CHANNELS);

export function parseRotatedName(name: string): RotatedName | undefined {
  const match = ROTATED.exec(name);
  if (!match || !CHANNEL_NAMES.has(match[1] ?? '')) return undefined;
  if (match[10] !== undefined && match[9] === undefined) return undefined;
  const [year, month, day, hour, minute, second, ms] = match.slice(2, 9).map(Number);
  return {
    channel: match[1] as Channel,
    rotatedAtMs: Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0, ms ?? 0),
    form: match[10] !== undefined ? 'partial' : match[9] !== undefined ? 'gzipped' : 'plain',
  };
}
