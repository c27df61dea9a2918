import { createReadStream } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { LogFile } from '../recorder/log-files.js';
import type { Recorder } from '../recorder/recorder.js';
import { errorMessage } from './engine-halt.js';

// zlib's default 16 KB output chunks take 2.7 s to unzip 256 MiB (the default rotation size); 256 KB ones 0.6 s.
const GUNZIP_CHUNK = 256 * 1024;

/** A rotated .gz log's bytes, unzipped in chunks sized for a start's search (pipe them through `pipeline`). */
export function gunzippedLog(path: string): [NodeJS.ReadableStream, Gunzip] {
  return [createReadStream(path), createGunzip({ chunkSize: GUNZIP_CHUNK })];
}

/** A log file a start could not read (a damaged .gz, EACCES): named in a LOG warn line, never a reason to refuse the start. */
export type OnUnreadableLog = (path: string, error: unknown) => void;

/** What reading one log file of a start's search came to. */
export type RotatedLogRead<T> =
  | { readonly kind: 'read'; readonly value: T }
  /** Deleted since the listing (retention, an operator): what it held is gone. */
  | { readonly kind: 'missing' }
  /** Could not be read: the search cannot know what it held. */
  | { readonly kind: 'unreadable'; readonly path: string; readonly error: unknown };

/** A LOG warn line of the session naming the file, the error, and what the start does without it. */
export function warnUnreadableLog(recorder: Recorder, consequence: string): OnUnreadableLog {
  return (path, error) =>
    recorder.emit('LOG', { message: `could not read the rotated log ${path} at start (${errorMessage(error)}): ${consequence}`, component: 'recovery', data: { path, error: errorMessage(error) } }, { level: 'warn' });
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * Reads one file of a search through the log from its newest line back (a restart's last decided
 * bars, its unsent intents). A rotated plain file gone to its .gz since the listing (the bot's
 * compression) is read there. A rotated file that cannot be read is reported, not thrown: those
 * searches only sharpen what the replay cursor and the state store already say, and an old damaged
 * file must not keep the bot from starting. The current file's errors are thrown, its path named:
 * the recorder writes there next and would fail all the same.
 */
export async function readRotatedLog<T>(file: LogFile, readPlain: (path: string) => T, readGzipped: (path: string) => Promise<T>): Promise<RotatedLogRead<T>> {
  let gzPath = file.path;
  if (!file.gzipped) {
    try {
      return { kind: 'read', value: readPlain(file.path) };
    } catch (error) {
      if (file.current) throw new Error(`cannot read ${file.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      if (!isMissing(error)) return { kind: 'unreadable', path: file.path, error };
    }
    gzPath = `${file.path}.gz`;
  }
  try {
    return { kind: 'read', value: await readGzipped(gzPath) };
  } catch (error) {
    return isMissing(error) ? { kind: 'missing' } : { kind: 'unreadable', path: gzPath, error };
  }
}
