import { logBytes } from '../../recorder/log-bytes.js';
import { toLogReadError } from '../log-read-error.js';
import { noteUnreadableFile } from '../query/unreadable-files.js';

/**
 * The decompressed bytes of a gzipped log file (see logBytes). A file that cannot be read, or whose
 * gzip data ends early or is damaged, ends the iteration where the readable bytes end (none, for a
 * file that cannot be opened), as zcat and zgrep read it, and is noted as unreadable (see
 * unreadable-files.ts): one damaged rotated file must not hide the lines of every other one.
 */
export async function* gunzipChunks(path: string): AsyncGenerator<Buffer> {
  const input = logBytes({ path, gzipped: true });
  let readBytes = 0;
  try {
    for await (const chunk of input) {
      const bytes = chunk as Buffer;
      readBytes += bytes.length;
      yield bytes;
    }
  } catch (error) {
    const unreadable = toLogReadError(error, path);
    if (!unreadable) throw error;
    noteUnreadableFile(unreadable, readBytes);
  } finally {
    input.destroy();
  }
}
