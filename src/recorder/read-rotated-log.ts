import { logBytes } from './log-bytes.js';
import type { LogFile } from './log-files.js';

/** What reading one log file of a search came to. */
export type RotatedLogRead<T> =
  | { readonly kind: 'read'; readonly value: T }
  /** Deleted since the listing (retention, an operator): what it held is gone. */
  | { readonly kind: 'missing' }
  /** Could not be read: the search cannot know what it held. */
  | { readonly kind: 'unreadable'; readonly path: string; readonly error: unknown };

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * Reads one file of a search through the log from its newest line back (a restart's last decided
 * bars, its unsent intents): `readPlain` gets a plain file's path (read from its end), `readGzipped`
 * a .gz's bytes unzipped (logBytes), which can only be read from its start. A rotated plain file
 * gone to its .gz since the listing (the bot's compression) is read there. A rotated file that
 * cannot be read is reported, not thrown: those searches only sharpen what the replay cursor and
 * the state store already say, and an old damaged file must not keep the bot from starting. The
 * current file's errors are thrown, its path named: the recorder writes there next and would fail
 * all the same.
 */
export async function readRotatedLog<T>(
  file: LogFile, readPlain: (path: string) => T, readGzipped: (unzipped: AsyncIterable<Buffer>) => Promise<T>,
): Promise<RotatedLogRead<T>> {
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
  const unzipped = logBytes({ path: gzPath, gzipped: true });
  try {
    return { kind: 'read', value: await readGzipped(unzipped as AsyncIterable<Buffer>) };
  } catch (error) {
    return isMissing(error) ? { kind: 'missing' } : { kind: 'unreadable', path: gzPath, error };
  } finally {
    // A search that stops early lets go of the file.
    unzipped.destroy();
  }
}
